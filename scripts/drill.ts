/**
 * `npm run drill -- --drill <name>|all [--rate N --duration S --fault-seconds S --fault-at S --settle-timeout S --keep]`:
 * fault drills (issue 13). Each drill starts its own throw-away hub (Temporal, database, API and worker processes,
 * loopback partners), runs a load that drives orders from intake to completion, injects one fault mid-run, removes it,
 * waits until every order completed, and runs the invariant checker (`scripts/check.ts`) with the partners' effect
 * counts. Prints one table per drill and exits 1 when any drill's invariant check failed or an order did not complete.
 * Not part of `npm test`, which runs short versions (test/integration/drills.test.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DRILLS, FULL_SIZES, runDrill, type DrillName, type DrillResult, type DrillSize } from './lib/drill/drills';
import { InstallError, root } from './lib/tools';

const USAGE = `npm run drill -- --drill ${DRILLS.join('|')}|all [options]
  --rate N            orders per second (default per drill: 2)
  --duration S        seconds of load (default 60; partner-storm 90)
  --fault-at S        seconds into the load the fault starts (default 20; partner-storm 15)
  --fault-seconds S   how long the fault lasts (default: worker-kill 10, temporal-restart 15, database-outage 30,
                      partner-storm 60, warehouse-disabled 20; duplicate-webhooks: the whole load)
  --settle-timeout S  how long to wait after the load for every order to complete (default 300; storm 600)
  --json <file>       also write the results as JSON (default .data/drills/<time>.json)
  --keep              keep each hub's scratch folder (logs, data) and print where`;

class UsageError extends Error {}

function parseOptions(argv: string[]): { drills: DrillName[]; override: Partial<DrillSize>; json?: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      drill: { type: 'string', default: 'all' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      'fault-at': { type: 'string' },
      'fault-seconds': { type: 'string' },
      'settle-timeout': { type: 'string' },
      json: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (name: string, raw: string | undefined, min = 0): number | undefined => {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min) throw new UsageError(`--${name} must be a number ≥ ${min}, got "${raw}"`);
    return value;
  };
  const name = values.drill ?? 'all';
  if (name !== 'all' && !DRILLS.includes(name as DrillName))
    throw new UsageError(`--drill must be one of ${DRILLS.join(', ')} or all, got "${name}"`);
  const override: Partial<DrillSize> = {};
  const set = <K extends keyof DrillSize>(key: K, value: DrillSize[K] | undefined) => {
    if (value !== undefined) override[key] = value;
  };
  set('rate', number('rate', values.rate, 0.01));
  set('durationS', number('duration', values.duration, 1));
  set('faultAtS', number('fault-at', values['fault-at']));
  set('faultSeconds', number('fault-seconds', values['fault-seconds']));
  set('settleTimeoutS', number('settle-timeout', values['settle-timeout'], 1));
  if (values.keep) override.keep = true;
  return { drills: name === 'all' ? [...DRILLS] : [name as DrillName], override, json: values.json };
}

/** The size of one drill: its defaults, the command line's values over them. */
function sizeOf(drill: DrillName, override: Partial<DrillSize>): DrillSize {
  const size = { ...FULL_SIZES[drill], ...override };
  // The duplicates drill's fault is the load itself, from start to end.
  if (drill === 'duplicate-webhooks') return { ...size, faultAtS: 0, faultSeconds: override.faultSeconds ?? size.durationS };
  return size;
}

/** The exact command that reruns one drill at this size. */
function commandOf(drill: DrillName, size: DrillSize): string {
  const parts = [`npm run drill -- --drill ${drill} --rate ${size.rate} --duration ${size.durationS}`];
  if (drill !== 'duplicate-webhooks') parts.push(`--fault-at ${size.faultAtS} --fault-seconds ${size.faultSeconds}`);
  return parts.join(' ');
}

/** One drill's table (Markdown, so it goes into BENCHMARKS.md as printed). */
export function drillTable(result: DrillResult, command: string): string {
  const evidence = Object.entries(result.evidence)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const rows: Array<[string, string]> = [
    ['command', `\`${command}\``],
    [
      'load',
      `${result.load.orders} orders at ${result.load.rate}/s over ${result.load.durationS} s (1 in 5 drop-shipped), each driven to COMPLETED`,
    ],
    ['fault', `${result.fault} (held ${result.faultSeconds} s)`],
    ['the fault was real', evidence],
    [
      'time to recover',
      `first callback taken ${fmt(result.recovery.firstProgressS)} s after the fault was removed; every order posted before then completed ${fmt(result.recovery.allCaughtUpS)} s after it`,
    ],
    [
      'orders completed',
      `${result.completed} / ${result.load.orders}${
        result.notCompleted.length
          ? ` (not: ${result.notCompleted
              .slice(0, 5)
              .map((o) => `${o.orderId} ${o.status}`)
              .join(', ')})`
          : ''
      }`,
    ],
    [
      'partner calls / effects',
      `${result.partners.calls} calls, ${result.partners.effects} effects, ${result.partners.keysActedTwice} keys acted on twice`,
    ],
    ['invariant check', result.invariants.summary],
    ['wall time', `${result.wallSeconds} s`],
  ];
  return ['| drill: ' + result.drill + ' | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v.replace(/\|/g, '\\|')} |`)].join(
    '\n',
  );
}

function fmt(n: number | null): string {
  return n === null ? 'never' : n.toFixed(1);
}

async function main(): Promise<number> {
  const { drills, override, json } = parseOptions(process.argv.slice(2));
  const results: Array<{ command: string; result: DrillResult }> = [];
  let failed = false;
  for (const drill of drills) {
    const size = sizeOf(drill, override);
    const command = commandOf(drill, size);
    console.log(`\n[drill] ${command}`);
    try {
      const result = await runDrill(drill, size);
      results.push({ command, result });
      console.log(`\n${drillTable(result, command)}\n`);
      console.log(`answers: ${JSON.stringify(result.answers)}`);
      for (const line of result.serverErrors) console.log(`logged error: ${line}`);
      for (const line of result.diagnosis) console.log(`not completed: ${line}`);
      if (!result.invariants.ok || result.notCompleted.length > 0) failed = true;
      if (!result.invariants.ok && result.invariants.report) console.log(JSON.stringify(result.invariants.report, null, 2).slice(0, 4000));
    } catch (error) {
      failed = true;
      console.error(`[drill ${drill}] could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  const file = json ?? path.join(root, '.data', 'drills', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(results, null, 2));
  console.log(`\n[drill] results written to ${file}`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof UsageError || error instanceof InstallError ? `${error.message}\n\n${USAGE}` : error);
    process.exit(2);
  },
);
