/**
 * Hot-SKU benchmark; prints figures, never pass/fail. On its own throw-away stack, with the API in this process
 * and two worker processes, BENCH_ORDERS paid orders race for BENCH_UNITS units of one SKU; then the stock
 * ledger alone: two instances on two connections, BENCH_LEDGER_CALLERS callers, BENCH_LEDGER_UNITS units.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createApp } from '../src/api/app';
import { signWebhook } from '../src/api/auth';
import { loadConfig, type Config } from '../src/config';
import { connectDatabase, type Database } from '../src/db/connection';
import type { StatusTally } from '../src/db/orderReadModel';
import { createStores, type Stores } from '../src/db/stores';
import type { CanonicalOrder } from '../src/domain/order';
import { createLogger } from '../src/logging';
import { seedHub } from '../test/fixtures/network';
import { makeOrder, paid } from '../test/fixtures/orders';
import {
  intFromEnv,
  inPool,
  ledgerFigures,
  percentile,
  startWorkerProcess,
  Teardown,
  waitForPollers,
  withTimeLimit,
  type LedgerFigures,
  type WorkerProcess,
} from './lib/benchSupport';
import { startStack, type Stack } from './lib/stack';

const ORDERS = intFromEnv('BENCH_ORDERS', 500);
const UNITS = intFromEnv('BENCH_UNITS', 100);
const IN_FLIGHT = intFromEnv('BENCH_IN_FLIGHT', 50);
const LEDGER_UNITS = intFromEnv('BENCH_LEDGER_UNITS', 1000);
const LEDGER_CALLERS = intFromEnv('BENCH_LEDGER_CALLERS', 200);
const SETTLE_TIMEOUT_MS = intFromEnv('BENCH_SETTLE_TIMEOUT_S', 900) * 1000;
const TIME_LIMIT_MS = intFromEnv('BENCH_TIME_LIMIT_S', 1800) * 1000;
const PROGRESS_EVERY_MS = 30_000;
const WORKERS = 2;
const HOT_SKU = 'HOT-001';
const WAREHOUSE = 'suzhou';
const CHANNEL_SECRET = 'bench-channel-secret';
const TASK_QUEUE = 'bench';

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const perSecond = (count: number, spanSeconds: number) => (spanSeconds > 0 ? (count / spanSeconds).toFixed(0) : 'n/a');

function databaseUri(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The environment the API and the worker processes share. */
function benchEnv(stack: Stack, bundlePath: string): Record<string, string> {
  return {
    LOG_LEVEL: 'warn',
    TEMPORAL_ADDRESS: stack.temporalAddress,
    MONGODB_URI: databaseUri(stack.mongoUri, 'orderhub-bench'),
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    WORKFLOW_BUNDLE_PATH: bundlePath,
    OPS_API_KEYS: 'bench:bench-ops-key',
    CHANNEL_SECRETS: `tmall:${CHANNEL_SECRET}`,
    // The bench is the only client: the per-minute limit would otherwise cap large runs.
    RATE_LIMIT_PER_MINUTE: '1000000',
  };
}

async function bundle(scratch: string): Promise<string> {
  const quiet = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} };
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../src/workflows'), logger: quiet });
  const bundlePath = path.join(scratch, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  return bundlePath;
}

/** Starts the API in this process on a free port; returns its base URL. */
async function startApi(config: Config, db: Database, teardown: Teardown): Promise<{ baseUrl: string; client: Client }> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  teardown.defer('Temporal client', () => connection.close());
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const app = createApp({ config, temporal: client, db, logger: createLogger(config.LOG_LEVEL, 'bench-api') });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  teardown.defer(
    'API server',
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, client };
}

/** Posts one signed paid-order snapshot; answers the HTTP status (0 when the request failed) and the latency. */
async function submit(baseUrl: string, order: CanonicalOrder): Promise<{ status: number; ms: number }> {
  const raw = JSON.stringify({ type: 'snapshot', eventId: `${order.channelOrderId}:paid`, order });
  const timestamp = new Date().toISOString();
  const started = performance.now();
  try {
    const response = await fetch(`${baseUrl}/v1/channels/${order.channel}/events`, {
      method: 'POST',
      body: raw,
      signal: AbortSignal.timeout(60_000),
      headers: {
        'content-type': 'application/json',
        'x-orderhub-timestamp': timestamp,
        'x-orderhub-signature': signWebhook(CHANNEL_SECRET, timestamp, raw),
      },
    });
    await response.arrayBuffer();
    return { status: response.status, ms: performance.now() - started };
  } catch {
    return { status: 0, ms: performance.now() - started };
  }
}

const SETTLED = ['FULFILLING', 'ON_HOLD'];
const ordersIn = (tally: Record<string, StatusTally>, status: string) => tally[status]?.orders ?? 0;
const settledCount = (tally: Record<string, StatusTally>) => SETTLED.reduce((sum, status) => sum + ordersIn(tally, status), 0);

/** Polls the read model until `expected` orders are FULFILLING or ON_HOLD; false when the time runs out. */
async function waitUntilSettled(stores: Stores, expected: number, started: number): Promise<boolean> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let nextReport = Date.now() + PROGRESS_EVERY_MS;
  while (Date.now() < deadline) {
    const counts = await stores.orders.tally();
    if (settledCount(counts) >= expected) return true;
    if (Date.now() >= nextReport) {
      console.log(`  …               ${settledCount(counts)} of ${expected} settled after ${seconds(Date.now() - started)} s`);
      nextReport += PROGRESS_EVERY_MS;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

/** What the worker logs say went wrong: failed activity attempts, and attempts that finished after their timeout. */
function printWorkerTrouble(workers: WorkerProcess[]): void {
  const logs = workers.map((w) => w.log()).join('\n');
  const failures = logs.split('Activity failed').slice(1);
  const lateCompletions = logs.split('Activity not found on completion').length - 1;
  console.log(
    `  worker logs     ${failures.length} failed activity attempts (${failures.filter((f) => f.includes('SQLITE_BUSY')).length} of them SQLITE_BUSY), ` +
      `${lateCompletions} attempts finished after their timeout`,
  );
}

async function hotLedger(ledger: Stores['ledger'], sku: string): Promise<LedgerFigures> {
  return ledgerFigures(await ledger.entries(sku, { warehouseId: WAREHOUSE, oldestFirst: true }));
}

function printLedger(figures: LedgerFigures, expected: number): void {
  const verdict = figures.reservedBalance === expected && figures.reservedBySum === expected ? 'OK' : 'MISMATCH';
  console.log(
    `  reserved        ledger balance ${figures.reservedBalance}, reserves minus releases ${figures.reservedBySum}, expected ${expected}: ${verdict}`,
  );
  console.log(
    `  ledger          ${figures.entries} entries, seq gapless: ${figures.gaplessSeq ? 'yes' : 'NO'}, min available ${figures.minAvailable}, ` +
      `entries with reserved < 0 or > onHand: ${figures.negativeEntries}, entries not following from the one before: ${figures.brokenLinks}`,
  );
}

/** The order bench: the API in-process, two worker processes, ORDERS paid orders for UNITS units. */
async function orderBench(stack: Stack, bundlePath: string, scratch: string, teardown: Teardown): Promise<void> {
  const env = benchEnv(stack, bundlePath);
  const config = loadConfig(env);
  const db = await connectDatabase(config.MONGODB_URI);
  teardown.defer('bench database', () => db.close());
  const stores = createStores(db);
  await seedHub(stores, { stock: { [`${HOT_SKU}@${WAREHOUSE}`]: UNITS } });
  const workers: WorkerProcess[] = Array.from({ length: WORKERS }, (_, i) => {
    const worker = startWorkerProcess({ ...process.env, ...env }, path.join(scratch, 'logs', `worker-${i + 1}.log`));
    teardown.defer(`worker process ${i + 1}`, () => worker.stop());
    return worker;
  });
  const { baseUrl, client } = await startApi(config, db, teardown);
  try {
    await waitForPollers(client, TASK_QUEUE, WORKERS);
  } catch (error) {
    for (const [i, worker] of workers.entries())
      console.error(`[bench] worker ${i + 1} log, last lines:\n${worker.log().split('\n').slice(-20).join('\n')}`);
    throw error;
  }

  console.log(
    `\nOrder bench: ${ORDERS} paid orders for ${UNITS} units of ${HOT_SKU}@${WAREHOUSE}, ${WORKERS} worker processes, ${IN_FLIGHT} requests in flight`,
  );
  const orders = Array.from({ length: ORDERS }, () =>
    paid(makeOrder({ lines: [{ lineId: 'L1', sku: HOT_SKU, category: 'tshirt', quantity: 1, unitPrice: 99, listPrice: 99 }] })),
  );
  const started = Date.now();
  const answers = await inPool(ORDERS, IN_FLIGHT, (i) => submit(baseUrl, orders[i]!));
  const intakeMs = Date.now() - started;
  const accepted = answers.filter((a) => a.status === 202);
  const latencies = accepted.map((a) => a.ms);
  const refused = answers.length - accepted.length;
  console.log(
    `  intake          ${accepted.length} accepted${refused ? ` (${refused} NOT accepted)` : ''} in ${seconds(intakeMs)} s: ${perSecond(accepted.length, intakeMs / 1000)} orders/s; ` +
      `latency p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms`,
  );

  const settled = await waitUntilSettled(stores, accepted.length, started);
  const tally = await stores.orders.tally();
  // ISO instants sort as text: the last is when the final order settled.
  const lastChange = SETTLED.flatMap((status) => tally[status]?.lastUpdatedAt ?? [])
    .sort()
    .at(-1);
  const counts = Object.fromEntries(Object.entries(tally).map(([status, { orders }]) => [status, orders]));
  console.log(
    settled
      ? `  settled         all ${accepted.length} FULFILLING or ON_HOLD ${seconds((lastChange ? Date.parse(lastChange) : Date.now()) - started)} s after the first request`
      : `  settled         NOT within ${SETTLE_TIMEOUT_MS / 1000} s: ${JSON.stringify(counts)}`,
  );

  const expected = Math.min(accepted.length, UNITS);
  const ledger = await hotLedger(stores.ledger, HOT_SKU);
  console.log(
    `  hot SKU         ${ledger.reserves} reservations in ${ledger.reserveSpanSeconds.toFixed(2)} s (first to last reserve entry): ${perSecond(ledger.reserves, ledger.reserveSpanSeconds)} reservations/s ` +
      `(first tenth ${ledger.firstTenthPerSecond.toFixed(1)}/s, last tenth ${ledger.lastTenthPerSecond.toFixed(1)}/s)`,
  );
  console.log(
    `  fulfilling      ${ordersIn(tally, 'FULFILLING')} orders (${ordersIn(tally, 'FULFILLING') === expected ? 'OK' : 'MISMATCH'})`,
  );
  console.log(`  on hold         ${ordersIn(tally, 'ON_HOLD')} orders (${tally.ON_HOLD?.byHoldReason.OUT_OF_STOCK ?? 0} for OUT_OF_STOCK)`);
  printLedger(ledger, expected);
  console.log('  seq collisions  not measured here: they happen inside the worker processes (see the ledger bench)');
  printWorkerTrouble(workers);
}

/** The ledger bench: two ledger instances on two connections, LEDGER_CALLERS callers reserving one unit at a time. */
async function ledgerBench(stack: Stack, teardown: Teardown): Promise<void> {
  const sku = 'LEDGER-001';
  const uri = databaseUri(stack.mongoUri, 'orderhub-bench-ledger');
  const dbs = await Promise.all(Array.from({ length: WORKERS }, () => connectDatabase(uri)));
  for (const [i, db] of dbs.entries()) teardown.defer(`ledger bench connection ${i + 1}`, () => db.close());
  const ledgers = dbs.map((db) => createStores(db).ledger);
  await ledgers[0]!.adjust(sku, WAREHOUSE, 'bench-seed', 'receipt', LEDGER_UNITS, { actor: 'bench' });

  console.log(
    `\nLedger bench: ${WORKERS} ledger instances (separate connections), ${LEDGER_CALLERS} callers, ${LEDGER_UNITS} units of ${sku}@${WAREHOUSE}`,
  );
  let failures = 0;
  const started = Date.now();
  await inPool(LEDGER_CALLERS, LEDGER_CALLERS, async (caller) => {
    const ledger = ledgers[caller % ledgers.length]!;
    // Bounded: no caller can take more than every unit there is.
    for (let n = 0; n < LEDGER_UNITS; n += 1) {
      try {
        const outcome = await ledger.reserve(sku, WAREHOUSE, `bench-${caller}-${n}`, 1, { actor: 'bench' });
        if (outcome.status === 'refused') return;
      } catch {
        failures += 1;
        return;
      }
    }
  });
  const elapsedMs = Date.now() - started;
  const ledger = await hotLedger(ledgers[0]!, sku);
  console.log(
    `  reserve         ${ledger.reserves} reservations in ${seconds(elapsedMs)} s: ${perSecond(ledger.reserves, elapsedMs / 1000)} reservations/s ` +
      `(first tenth ${ledger.firstTenthPerSecond.toFixed(0)}/s, last tenth ${ledger.lastTenthPerSecond.toFixed(0)}/s)${failures ? `; ${failures} calls FAILED` : ''}`,
  );
  console.log(`  seq collisions  ${ledgers.reduce((sum, l) => sum + l.collisions(), 0)} inserts lost the race and were retried`);
  printLedger(ledger, LEDGER_UNITS);
}

/** Runs one phase with its own clean-up, which the outer teardown also runs should the phase hang past the time limit. */
async function phase(teardown: Teardown, what: string, body: (own: Teardown) => Promise<void>): Promise<void> {
  const own = new Teardown();
  teardown.defer(what, () => own.run());
  try {
    await body(own);
  } finally {
    await own.run();
  }
}

async function run(teardown: Teardown): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'orderhub-bench-'));
  teardown.defer('scratch folder', async () => rmSync(scratch, { recursive: true, force: true }));
  // Always its own servers: the bench must not write into a stack someone else runs.
  const stack = await startStack(
    { dataDir: scratch, persistent: false, database: 'orderhub-bench', logDir: path.join(scratch, 'logs') },
    {},
  );
  teardown.defer('stack', () => stack.stop());
  const bundlePath = await bundle(scratch);
  await phase(teardown, 'order bench', (own) => orderBench(stack, bundlePath, scratch, own));
  await phase(teardown, 'ledger bench', (own) => ledgerBench(stack, own));
}

async function main(): Promise<void> {
  const teardown = new Teardown();
  process.once('SIGINT', () => void teardown.run().finally(() => process.exit(130)));
  try {
    await withTimeLimit(run(teardown), TIME_LIMIT_MS, 'the bench');
  } finally {
    await teardown.run();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('[bench] failed:', error);
    process.exit(1);
  },
);
