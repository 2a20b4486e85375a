/**
 * The drills of issue 13. Each runs a load on its own throw-away hub, injects one fault mid-run, removes it, waits until
 * every order of the load has completed (or a time limit passes), and runs the invariant checker on what is left, with
 * the partners' effect counts per idempotency key. What each returns is what BENCHMARKS.md's tables show.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { orderWorkflowId } from '../../../src/domain/ids';
import { testNetwork } from '../../../test/fixtures/network';
import { root } from '../tools';
import { DRILL_OPS_KEY, startDrillHub, tail, type DrillHub } from './hub';
import { DrillLoad, LOAD_SKUS, orderStatus } from './load';

/** Every drill, by its command-line name. */
export const DRILLS = [
  'worker-kill',
  'temporal-restart',
  'database-outage',
  'duplicate-webhooks',
  'partner-storm',
  'warehouse-disabled',
] as const;
/** A drill's name. */
export type DrillName = (typeof DRILLS)[number];

/** How big a drill is. */
export interface DrillSize {
  /** Orders per second. */
  rate: number;
  /** Seconds of posting. */
  durationS: number;
  /** Seconds into the load the fault starts. */
  faultAtS: number;
  /** Seconds the fault lasts. */
  faultSeconds: number;
  /** Seconds to wait, after the load and the fault, for every order to complete. */
  settleTimeoutS: number;
  /** Keep each hub's scratch folder (logs, data). */
  keep?: boolean;
}

/** The sizes of the full drills (`npm run drill`), each bounded by what a 2-core machine carries beside the fault. */
export const FULL_SIZES: Record<DrillName, DrillSize> = {
  'worker-kill': { rate: 2, durationS: 60, faultAtS: 20, faultSeconds: 10, settleTimeoutS: 300 },
  'temporal-restart': { rate: 2, durationS: 60, faultAtS: 20, faultSeconds: 15, settleTimeoutS: 300 },
  'database-outage': { rate: 2, durationS: 60, faultAtS: 20, faultSeconds: 30, settleTimeoutS: 300 },
  'duplicate-webhooks': { rate: 2, durationS: 60, faultAtS: 0, faultSeconds: 60, settleTimeoutS: 300 },
  'partner-storm': { rate: 2, durationS: 90, faultAtS: 15, faultSeconds: 60, settleTimeoutS: 600 },
  'warehouse-disabled': { rate: 2, durationS: 60, faultAtS: 20, faultSeconds: 20, settleTimeoutS: 300 },
};

/** The short versions `npm test` runs (test/integration/drills.test.ts): 20 orders over 10 s, faults of a few seconds. */
export const SHORT_SIZES: Record<DrillName, DrillSize> = {
  'worker-kill': { rate: 2, durationS: 10, faultAtS: 3, faultSeconds: 3, settleTimeoutS: 120 },
  'temporal-restart': { rate: 2, durationS: 10, faultAtS: 3, faultSeconds: 4, settleTimeoutS: 120 },
  'database-outage': { rate: 2, durationS: 10, faultAtS: 3, faultSeconds: 8, settleTimeoutS: 120 },
  'duplicate-webhooks': { rate: 2, durationS: 10, faultAtS: 0, faultSeconds: 10, settleTimeoutS: 120 },
  'partner-storm': { rate: 2, durationS: 10, faultAtS: 2, faultSeconds: 8, settleTimeoutS: 120 },
  'warehouse-disabled': { rate: 2, durationS: 10, faultAtS: 4, faultSeconds: 4, settleTimeoutS: 120 },
};

/** What a drill measured. */
export interface DrillResult {
  drill: DrillName;
  load: { orders: number; rate: number; durationS: number };
  /** The fault in words, and how long it lasted. */
  fault: string;
  faultSeconds: number;
  /** Evidence the fault was real (the worker's pid changed, /readyz said 503, partners answered 429…). */
  evidence: Record<string, number | string | boolean>;
  recovery: {
    /** Fault removed → the first callback the hub took after it (the hub moving again). */
    firstProgressS: number | null;
    /** Fault removed → every order posted before then had completed (the backlog gone; visibility polled every 2 s). */
    allCaughtUpS: number | null;
  };
  completed: number;
  /** Orders that did not complete within the settle time, with their status. */
  notCompleted: Array<{ orderId: string; status: string }>;
  /** For a few of those: what their workflow waits on (pending activities, the last history events), to say why. */
  diagnosis: string[];
  /** HTTP answers the load got, by what and status (e.g. "progress:picking 200": 40). */
  answers: Record<string, number>;
  /** What the API and workers logged as errors (a 500's cause), distinct lines with how often, at most ten. */
  serverErrors: string[];
  /** Partner calls and effects: calls made (duplicates included), unique messages acted on, keys acted on more than once. */
  partners: { calls: number; effects: number; keysActedTwice: number };
  invariants: { ran: boolean; ok: boolean; exitCode: number | null; summary: string; report?: unknown };
  wallSeconds: number;
  /** The scratch folder, when kept. */
  scratch?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one drill of the given size on its own hub; `label` names its folder and log lines. */
export async function runDrill(drill: DrillName, size: DrillSize, log: (line: string) => void = console.log): Promise<DrillResult> {
  const started = Date.now();
  const orders = Math.max(1, Math.round(size.rate * size.durationS));
  const stock = Object.fromEntries(LOAD_SKUS.flatMap((sku) => testNetwork.warehouses.map((w) => [`${sku}@${w.id}`, orders * 10])));
  const hub = await startDrillHub({
    label: drill,
    stock,
    keep: size.keep,
    // The storm must raise the hub's alerts within the drill: a write-back unconfirmed for 20 s (FS-2) and a drop-ship
    // push nobody started on for 30 s (ES-2) mark the order as needing attention; no notice is sent, so the alerts
    // themselves add no deliveries to the storm.
    ...(drill === 'partner-storm' ? { escalation: { fs2: { after: 20, notify: [] }, es2: { after: 30, notify: [] } } } : {}),
  });
  log(`[drill ${drill}] hub up in ${((Date.now() - started) / 1000).toFixed(1)} s (${hub.scratch}); ${orders} orders at ${size.rate}/s`);
  const load = new DrillLoad(hub, {
    rate: size.rate,
    durationS: size.durationS,
    brand: drill.replace(/[^a-z]/g, '').slice(0, 12),
    chaos: drill === 'duplicate-webhooks',
    pickDelayMs: drill === 'warehouse-disabled' ? 4_000 : 2_000,
  });
  const readiness = sampleReadiness(hub);
  const evidence: DrillResult['evidence'] = {};
  let faultStart = 0;
  let faultEnd = 0;
  try {
    const posting = load.start();
    await sleep(size.faultAtS * 1000);
    faultStart = Date.now();
    log(`[drill ${drill}] fault on at +${size.faultAtS} s for ${size.faultSeconds} s`);
    faultEnd = await injectFault(drill, hub, size, load, evidence, readiness.samples);
    log(`[drill ${drill}] fault removed; waiting for the load to finish and every order to complete`);
    await posting;
    const deadline = Date.now() + size.settleTimeoutS * 1000;
    while (load.open().length > 0 && Date.now() < deadline) await sleep(1_000);
    // One more round of the watcher, so the last completions are seen.
    await sleep(2_500);
  } finally {
    await load.stop();
    readiness.stop();
  }
  try {
    Object.assign(evidence, readinessEvidence(readiness.samples, faultStart, faultEnd));
    evidence.workerUnexpectedExits = hub.unexpectedWorkerExits();
    evidence.intakeAnsweredDuringFault = load.answers.filter(
      (a) => a.what.startsWith('intake:') && a.status > 0 && a.at >= faultStart && a.at <= faultEnd,
    ).length;
    evidence.intakeTakenDuringFault = load.answers.filter(
      (a) => a.what.startsWith('intake:') && a.status === 202 && a.at >= faultStart && a.at <= faultEnd,
    ).length;
    const chaos = load.chaos();
    if (drill === 'duplicate-webhooks')
      Object.assign(evidence, { duplicatesSent: chaos.duplicates, reordered: chaos.reordered, replayed: chaos.replays });
    const notCompleted: DrillResult['notCompleted'] = [];
    for (const order of load.open())
      notCompleted.push({ orderId: order.orderId, status: (await orderStatus(hub, order.orderId)) ?? 'unknown' });
    const diagnosis = await diagnose(
      hub,
      notCompleted.slice(0, 3).map((o) => o.orderId),
    );
    const effects = partnerEffects(hub);
    const effectsFile = path.join(hub.scratch, 'effects.json');
    writeFileSync(effectsFile, JSON.stringify(Object.fromEntries(effects.effects)));
    const invariants = await runChecker(hub, effectsFile);
    const removed = faultEnd;
    const after = load.progressAt.filter((t) => t >= removed).sort((a, b) => a - b);
    const before = load.orders.filter((o) => o.postedAt <= removed);
    const closedTimes = before.map((o) => load.closed.get(o.orderId)?.at);
    const allClosed = closedTimes.every((t) => t !== undefined);
    const result: DrillResult = {
      drill,
      load: { orders: load.orders.length, rate: size.rate, durationS: size.durationS },
      fault: describeFault(drill, size),
      faultSeconds: round((faultEnd - faultStart) / 1000),
      evidence,
      recovery: {
        firstProgressS: after.length > 0 ? round((after[0]! - removed) / 1000) : null,
        allCaughtUpS: allClosed ? round(Math.max(0, Math.max(...(closedTimes as number[])) - removed) / 1000) : null,
      },
      completed: load.orders.length - load.open().length,
      notCompleted,
      diagnosis,
      answers: tally(load.answers.map((a) => `${a.what} ${a.status}`)),
      serverErrors: loggedErrors(path.join(hub.scratch, 'logs')),
      partners: {
        calls: effects.calls,
        effects: [...effects.effects.values()].reduce((s, n) => s + n, 0),
        keysActedTwice: [...effects.effects.values()].filter((n) => n > 1).length,
      },
      invariants,
      wallSeconds: round((Date.now() - started) / 1000),
      ...(size.keep ? { scratch: hub.scratch } : {}),
    };
    return result;
  } finally {
    await hub.stop();
  }
}

/**
 * The fault of each drill, injected and removed; `evidence` gets what shows it happened. Answers when the removal
 * began (a restart's own start-up counts as recovery, not as fault).
 */
async function injectFault(
  drill: DrillName,
  hub: DrillHub,
  size: DrillSize,
  load: DrillLoad,
  evidence: DrillResult['evidence'],
  readiness: ReadinessSample[],
): Promise<number> {
  const hold = () => sleep(size.faultSeconds * 1000);
  let removed = 0;
  const removing = () => (removed = Date.now());
  switch (drill) {
    case 'worker-kill': {
      const before = hub.worker().pid;
      evidence.ordersOpenAtKill = load.open().length;
      await hub.killWorker();
      await hold();
      removing();
      await hub.startWorker();
      evidence.workerPidBefore = before;
      evidence.workerPidAfter = hub.worker().pid;
      evidence.workerReplaced = before !== hub.worker().pid;
      return removed;
    }
    case 'temporal-restart': {
      evidence.ordersOpenAtStop = load.open().length;
      const stopped = Date.now();
      await hub.temporal.stop();
      evidence.temporalStopped = !hub.temporal.running();
      await hold();
      await holdUntilReported(readiness, stopped, (s) => s.temporal === 'down');
      removing();
      await hub.temporal.start();
      return removed;
    }
    case 'database-outage': {
      evidence.ordersOpenAtStop = load.open().length;
      const stopped = Date.now();
      await hub.stopDatabase();
      await hold();
      await holdUntilReported(readiness, stopped, (s) => s.database === 'down');
      removing();
      await hub.startDatabase();
      return removed;
    }
    case 'duplicate-webhooks': {
      // The load itself duplicates, reorders and replays throughout. The other way round, the WMS and the storefront act
      // on some messages and lose their answers, so the hub delivers those again under the same key.
      const lost = Math.max(2, Math.round(load.orders.length / 4) + Math.round((size.rate * size.durationS) / 4));
      for (const receiver of [hub.partners.receivers.wms, hub.partners.receivers.storefront])
        receiver.server.script('/', ...Array.from({ length: lost }, () => ({ handleThenDrop: true as const })));
      evidence.partnerAnswersLost = 2 * lost;
      await hold();
      return Date.now();
    }
    case 'partner-storm': {
      hub.gates.channel.storm(2);
      hub.gates.supplier.storm(2);
      const attention = sampleAttention(hub);
      await hold();
      removing();
      hub.gates.channel.calm();
      hub.gates.supplier.calm();
      const peak = await attention.stop();
      const [channel, supplier] = [hub.gates.channel.counts(), hub.gates.supplier.counts()];
      Object.assign(evidence, {
        channel429: channel.tooManyRequests,
        channel500: channel.serverErrors,
        channelTimeouts: channel.hung,
        supplier429: supplier.tooManyRequests,
        supplier500: supplier.serverErrors,
        supplierTimeouts: supplier.hung,
        peakOrdersNeedingAttention: peak,
      });
      return removed;
    }
    case 'warehouse-disabled': {
      const withdrawnBefore = hub.partners.receivers.wms.events('pick_list.withdrawn').length;
      await setWarehouseEnabled(hub, 'suzhou', false);
      await hold();
      removing();
      await setWarehouseEnabled(hub, 'suzhou', true);
      evidence.pickListsWithdrawn = hub.partners.receivers.wms.events('pick_list.withdrawn').length - withdrawnBefore;
      const moved = [
        ...new Set(hub.partners.receivers.wms.events('pick_list.withdrawn').map((e) => (e.data as { orderId: string }).orderId)),
      ];
      evidence.ordersMoved = moved.length;
      // Each moved order's own view: its Suzhou reservation released, one elsewhere held or used.
      let withReservations = 0;
      for (const orderId of moved) {
        const response = await fetch(`${hub.baseUrl}/v1/orders/${orderId}`, { headers: { 'x-api-key': DRILL_OPS_KEY } });
        const view = response.ok
          ? ((await response.json()) as { order?: { reservations?: Array<{ warehouseId: string; state: string }> } }).order
          : undefined;
        const reservations = view?.reservations ?? [];
        if (
          reservations.some((r) => r.warehouseId === 'suzhou' && r.state === 'released') &&
          reservations.some((r) => r.warehouseId !== 'suzhou' && r.state !== 'released')
        )
          withReservations += 1;
      }
      evidence.movedWithReservations = withReservations;
      return removed;
    }
  }
}

/** Pending activities and the last history events of each order's workflow, one line each. */
async function diagnose(hub: DrillHub, orderIds: string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const orderId of orderIds) {
    try {
      const handle = hub.client.workflow.getHandle(orderWorkflowId(orderId));
      const description = await handle.describe();
      const pending = (description.raw.pendingActivities ?? []).map(
        (a) => `${a.activityType?.name} attempt ${a.attempt}: ${a.lastFailure?.message ?? 'no failure'}`,
      );
      const events = ((await handle.fetchHistory()).events ?? []).slice(-6).map((e) => {
        const failure = e.workflowTaskFailedEventAttributes?.failure?.message ?? e.activityTaskFailedEventAttributes?.failure?.message;
        const type = e.eventType ? temporal.api.enums.v1.EventType[e.eventType] : 'unknown';
        return `${type}${failure ? ` (${failure.slice(0, 200)})` : ''}`;
      });
      lines.push(`${orderId} ${description.status.name}; pending: ${pending.join('; ') || 'none'}; last events: ${events.join(', ')}`);
    } catch (error) {
      lines.push(`${orderId}: could not describe: ${(error as Error).message}`);
    }
  }
  return lines;
}

/** The fault as the table states it. */
function describeFault(drill: DrillName, size: DrillSize): string {
  const s = `${size.faultSeconds} s`;
  switch (drill) {
    case 'worker-kill':
      return `worker SIGKILLed at +${size.faultAtS} s, new worker ${s} later`;
    case 'temporal-restart':
      return `Temporal dev server stopped at +${size.faultAtS} s for ${s}, restarted on its SQLite file`;
    case 'database-outage':
      return `FerretDB and PostgreSQL stopped at +${size.faultAtS} s for ${s}`;
    case 'duplicate-webhooks':
      return 'every channel event and callback sent twice at once, 1 in 3 payments before their snapshot, packed with picking, old events and callbacks replayed; throughout';
    case 'partner-storm':
      return `storefront (write-backs) and drop-ship supplier answer 429 (Retry-After 2 s) / 500 / no answer in turn from +${size.faultAtS} s for ${s}`;
    case 'warehouse-disabled':
      return `Suzhou disabled in the network settings at +${size.faultAtS} s, enabled again ${s} later`;
  }
}

/** Saves a new network version with a warehouse enabled or not, through the operations API (as a person would). */
async function setWarehouseEnabled(hub: DrillHub, warehouseId: string, enabled: boolean): Promise<void> {
  const headers = { 'content-type': 'application/json', 'x-api-key': DRILL_OPS_KEY };
  const current = (await (await fetch(`${hub.baseUrl}/v1/settings/network`, { headers })).json()) as {
    version: number;
    body: { warehouses: Array<{ id: string; enabled?: boolean }> };
  };
  const body = { ...current.body, warehouses: current.body.warehouses.map((w) => (w.id === warehouseId ? { ...w, enabled } : w)) };
  const saved = await fetch(`${hub.baseUrl}/v1/settings/network`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({ expectedVersion: current.version, body }),
  });
  if (!saved.ok) throw new Error(`saving the network answered ${saved.status}: ${(await saved.text()).slice(0, 300)}`);
}

/** The error lines (pino level 50 and up) of the hub's API and worker logs, distinct, with how often each came. */
function loggedErrors(logDir: string): string[] {
  if (!existsSync(logDir)) return [];
  const lines = readdirSync(logDir)
    .filter((file) => /^(api|worker-\d+)\.log$/.test(file))
    .flatMap((file) =>
      readFileSync(path.join(logDir, file), 'utf8')
        .split('\n')
        .map((line) => ({ file, line })),
    );
  const seen = new Map<string, number>();
  for (const { file, line } of lines) {
    const entry = parsedLogLine(line);
    if (!entry || (entry.level ?? 0) < 50) continue;
    const what =
      `${file}: ${entry.msg ?? ''}${entry.path ? ` ${entry.path}` : ''}: ${entry.err?.type ?? ''} ${entry.err?.message ?? ''}`.trim();
    seen.set(what, (seen.get(what) ?? 0) + 1);
  }
  return [...seen].slice(0, 10).map(([what, count]) => `${count}× ${what}`);
}

/** A pino log line, or undefined for anything else (the SDK's own lines, a line cut short by a killed process). */
function parsedLogLine(
  line: string,
): { level?: number; msg?: string; path?: string; err?: { type?: string; message?: string } } | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** A /readyz answer: its status and what it named, at the time the request was sent. */
interface ReadinessSample {
  at: number;
  status: number;
  database?: string;
  temporal?: string;
}

/** /readyz every second: what it said, and when it was asked (a loaded hub may take seconds to answer). */
function sampleReadiness(hub: DrillHub): { samples: ReadinessSample[]; stop(): void } {
  const samples: ReadinessSample[] = [];
  let stopped = false;
  void (async () => {
    while (!stopped) {
      const at = Date.now();
      try {
        const response = await fetch(`${hub.baseUrl}/readyz`, { signal: AbortSignal.timeout(10_000) });
        const body = (await response.json()) as { database?: string; temporal?: string };
        samples.push({ at, status: response.status, database: body.database, temporal: body.temporal });
      } catch {
        samples.push({ at, status: 0 });
      }
      await sleep(1_000);
    }
  })();
  return {
    samples,
    stop: () => {
      stopped = true;
    },
  };
}

/**
 * Keeps a fault on until /readyz, asked after it began, has named it, at most `extraMs` past its planned length: on a
 * loaded machine a short fault could otherwise end between two slow probes, and the drill would prove nothing.
 */
async function holdUntilReported(samples: ReadinessSample[], since: number, named: (s: ReadinessSample) => boolean, extraMs = 20_000) {
  const deadline = Date.now() + extraMs;
  while (!samples.some((s) => s.at >= since && named(s)) && Date.now() < deadline) await sleep(250);
}

function readinessEvidence(samples: ReadinessSample[], from: number, to: number) {
  const during = samples.filter((s) => s.at >= from && s.at <= to);
  return {
    readyz503DuringFault: during.filter((s) => s.status === 503).length,
    readyzDatabaseDownSeen: during.some((s) => s.database === 'down'),
    readyzTemporalDownSeen: during.some((s) => s.temporal === 'down'),
    readyzSamplesDuringFault: during.length,
  };
}

/** The most of the load's orders Temporal's visibility showed as needing attention or escalated at once, every 2 s. */
function sampleAttention(hub: DrillHub): { stop(): Promise<number> } {
  let peak = 0;
  let stopped = false;
  const run = (async () => {
    while (!stopped) {
      try {
        const { count } = await hub.client.workflow.count(
          '(NeedsAttention = true OR EscalationLevel >= 1) AND ExecutionStatus = "Running"',
        );
        peak = Math.max(peak, count);
      } catch {
        // visibility busy: next round
      }
      await sleep(2_000);
    }
  })();
  return {
    async stop() {
      // The alerts count from when a threshold passes, so keep looking a little after the storm ends.
      await sleep(5_000);
      stopped = true;
      await run;
      return peak;
    },
  };
}

/**
 * Effects per idempotency key at the partners (each receiver dedupes on webhook-id and records an accepted message
 * once, so a key counts once per receiver that acted on it) and every call made to them, the fault gates' included.
 */
function partnerEffects(hub: DrillHub): { effects: Map<string, number>; calls: number } {
  const effects = new Map<string, number>();
  let calls = 0;
  for (const receiver of Object.values(hub.partners.receivers)) {
    for (const event of receiver.events()) effects.set(event.id, (effects.get(event.id) ?? 0) + 1);
    calls += receiver.server.received.length;
  }
  for (const gate of [hub.gates.channel, hub.gates.supplier]) for (const n of gate.stormedCalls().values()) calls += n;
  return { effects, calls };
}

/** Runs `scripts/check.ts --json --effects <file>` with the hub's environment; its exit code and report. */
async function runChecker(hub: DrillHub, effectsFile: string): Promise<DrillResult['invariants']> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/check.ts', '--json', '--effects', effectsFile], {
    cwd: root,
    env: { ...hub.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let report: { ok?: boolean; summary?: Array<{ invariant: string; checked: number; violations: number; warnings: number }> } | undefined;
  try {
    report = JSON.parse(stdout) as typeof report;
  } catch {
    report = undefined;
  }
  if (!report)
    return { ran: false, ok: false, exitCode, summary: `the checker gave no report (exit ${exitCode}): ${tail(stderr || stdout, 5)}` };
  const rows = report.summary ?? [];
  const violations = rows.reduce((s, r) => s + r.violations, 0);
  const warnings = rows.reduce((s, r) => s + r.warnings, 0);
  const summary = `${report.ok ? 'pass' : 'FAIL'}: ${rows.length} invariants, ${rows.reduce((s, r) => s + r.checked, 0)} checks, ${violations} violations, ${warnings} warnings`;
  return { ran: true, ok: report.ok === true && exitCode === 0, exitCode, summary, report };
}

function tally(items: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
