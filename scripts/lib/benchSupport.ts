/** Helpers of scripts/bench.ts: teardown, bounded concurrency, percentiles, child processes and ledger figures. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { freePort } from './stack';
import { root } from './tools';

/** Clean-up steps run newest first, each even when an earlier one failed. */
export class Teardown {
  private readonly steps: Array<{ what: string; step: () => Promise<unknown> }> = [];

  /** Registers a clean-up step. */
  defer(what: string, step: () => Promise<unknown>): void {
    this.steps.push({ what, step });
  }

  /** Runs every registered step, newest first. */
  async run(): Promise<void> {
    for (const { what, step } of this.steps.splice(0).reverse()) {
      await step().catch((error: unknown) => console.error(`[bench] clean-up "${what}" failed:`, error));
    }
  }
}

/** Rejects when `work` has not finished after `ms`, so a hung phase still reaches the teardown. */
export function withTimeLimit<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

/** Runs `task(0..count-1)` with at most `limit` in flight; results come back in index order. */
export async function inPool<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
  return results;
}

/** The nearest-rank percentile (0–100) of some values; NaN when there are none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A running Node.js child process of the bench (a worker or the API). */
export interface NodeProcess {
  /** Its process id, for CPU accounting. */
  pid: number;
  /** True while it runs. */
  running(): boolean;
  /** What it has logged so far. */
  log(): string;
  /** Ends it: SIGTERM for a graceful shutdown, SIGKILL when that takes longer than the grace period. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `node --import tsx <entry>` (a path under the project root) with the given environment; its output goes to `logFile`. */
export function startNodeProcess(entry: string, env: NodeJS.ProcessEnv, logFile: string, nodeArgs: string[] = []): NodeProcess {
  mkdirSync(path.dirname(logFile), { recursive: true });
  // BENCH_CPU_PROFILE_DIR=<dir> writes a V8 CPU profile of each hub process there when it exits (where the time goes).
  const profile = process.env.BENCH_CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, ...nodeArgs, '--import', 'tsx', entry], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      children.delete(child);
      resolve();
    }),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid ?? -1,
    running,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async stop(graceMs = 15_000) {
      if (running()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}

const children = new Set<ChildProcess>();
// Child processes must not outlive the bench, even when it crashes.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** What a worker process preloads, as production starts it (see src/worker/workflowStackTraces.cjs). */
export const workerNodeArgs = ['--require', path.join(root, 'src/worker/workflowStackTraces.cjs')];

/** Starts a worker process (`src/worker/main.ts` with its preload) with the given environment; its output goes to `logFile`. */
export function startWorkerProcess(env: NodeJS.ProcessEnv, logFile: string): NodeProcess {
  return startNodeProcess('src/worker/main.ts', env, logFile, workerNodeArgs);
}

/** Starts the API as its own process on a free loopback port; `baseUrl` is where it answers once ready. */
export async function startApiProcess(env: NodeJS.ProcessEnv, logFile: string): Promise<{ api: NodeProcess; baseUrl: string }> {
  const port = await freePort();
  const api = startNodeProcess('src/api/main.ts', { ...env, API_HOST: '127.0.0.1', API_PORT: String(port) }, logFile);
  return { api, baseUrl: `http://127.0.0.1:${port}` };
}

/** Waits until the API answers /readyz with 200. */
export async function waitForApi(baseUrl: string, api: NodeProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!api.running()) throw new Error(`the API process exited; its log:\n${api.log().split('\n').slice(-20).join('\n')}`);
    try {
      const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the API did not become ready within ${timeoutMs / 1000} s`);
}

/** Waits until `count` distinct pollers poll both the workflow and the activity side of a task queue. */
export async function waitForPollers(client: Client, taskQueue: string, count: number, timeoutMs = 60_000): Promise<void> {
  const { TaskQueueType } = temporal.api.enums.v1;
  const pollers = async (taskQueueType: temporal.api.enums.v1.TaskQueueType) => {
    const answer = await client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: taskQueue },
      taskQueueType,
    });
    return new Set((answer.pollers ?? []).map((p) => p.identity)).size;
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [workflows, activities] = await Promise.all([
      pollers(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
      pollers(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
    ]);
    if (workflows >= count && activities >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${count} workers did not start polling task queue ${taskQueue} within ${timeoutMs / 1000} s`);
}

/** The fields of a ledger entry the figures need. */
export interface EntryFacts {
  seq: number;
  kind: string;
  quantity: number;
  onHand: number;
  reserved: number;
  /** ISO instant. */
  at: string;
}

/** Consistency and pace of one SKU's ledger. */
export interface LedgerFigures {
  entries: number;
  reserves: number;
  /** Reserve minus release entries: what the entries say is reserved. */
  reservedBySum: number;
  /** The reserved balance of the latest entry. */
  reservedBalance: number;
  minAvailable: number;
  negativeEntries: number;
  gaplessSeq: boolean;
  /** Entries whose balances do not follow from the entry before them (a lost update). */
  brokenLinks: number;
  /** Seconds from the first to the last reserve entry. */
  reserveSpanSeconds: number;
  /** Reserves per second over the first and the last tenth of the reserve entries: does the pace hold as the ledger grows? */
  firstTenthPerSecond: number;
  lastTenthPerSecond: number;
}

const effect: Record<string, [onHand: number, reserved: number]> = {
  receipt: [1, 0],
  adjust: [1, 0],
  reserve: [0, 1],
  release: [0, -1],
  commit: [-1, -1],
};

/** Figures of one SKU's ledger entries, given oldest first. */
export function ledgerFigures(entries: EntryFacts[]): LedgerFigures {
  const reserves = entries.filter((e) => e.kind === 'reserve');
  const total = (kind: string) => entries.filter((e) => e.kind === kind).reduce((sum, e) => sum + e.quantity, 0);
  const brokenLinks = entries.slice(1).filter((entry, i) => {
    const previous = entries[i]!;
    const [onHand, reserved] = effect[entry.kind] ?? [Number.NaN, Number.NaN];
    return entry.onHand !== previous.onHand + onHand * entry.quantity || entry.reserved !== previous.reserved + reserved * entry.quantity;
  }).length;
  const times = reserves.map((e) => Date.parse(e.at)).sort((a, b) => a - b);
  return {
    entries: entries.length,
    reserves: reserves.length,
    reservedBySum: total('reserve') - total('release') - total('commit'),
    reservedBalance: entries.at(-1)?.reserved ?? 0,
    minAvailable: Math.min(...entries.map((e) => e.onHand - e.reserved)),
    negativeEntries: entries.filter((e) => e.reserved < 0 || e.reserved > e.onHand).length,
    gaplessSeq: entries.every((e, i) => e.seq === i + 1),
    brokenLinks,
    reserveSpanSeconds: times.length > 1 ? (times.at(-1)! - times[0]!) / 1000 : 0,
    firstTenthPerSecond: pace(times.slice(0, Math.ceil(times.length / 10) + 1)),
    lastTenthPerSecond: pace(times.slice(-Math.ceil(times.length / 10) - 1)),
  };
}

/** Events per second over sorted timestamps (the first one starts the clock); NaN when there is no span. */
function pace(times: number[]): number {
  const spanMs = (times.at(-1) ?? 0) - (times[0] ?? 0);
  return spanMs > 0 ? ((times.length - 1) * 1000) / spanMs : Number.NaN;
}
