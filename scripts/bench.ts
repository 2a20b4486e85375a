/**
 * `npm run bench -- --mode <mode> [options]`: figures, never pass/fail, on the project's own local stack (a
 * Temporal dev server and the local database, started here and thrown away), with the API and two worker
 * processes as real child processes. Modes (BENCHMARKS.md says what each figure means and how it is counted):
 *   steady  signed paid orders posted open loop at --rate per second for --duration seconds (a live stream)
 *   hot     --orders concurrent paid orders for --units units of one SKU (a drop)
 *   step    steady steps at rising --rates, each --step-duration seconds, until p99 payment → reserved passes 30 s
 *   probe   one order through payment, shipment, delivery and a shortened return window: its cost
 *   ledger  the stock ledger alone, two instances on two connections, no Temporal
 *   escalation  --orders paid orders nobody works on: how long after ES-5 falls due its notices leave the hub (ES-6)
 *   lifecycle  paid orders at --rate for --duration driven the whole way (the bench plays WMS, supplier, carrier,
 *              buyer and operations; partners slow and failing as told): completed orders/s, stages, costs
 * Prints tables and writes the same figures as JSON (--json, default .data/bench/<mode>-<time>.json).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { connectDatabase } from '../src/db/connection';
import { createStores } from '../src/db/stores';
import { type CanonicalOrder } from '../src/domain/order';
import { orderIdOf, orderWorkflowId } from '../src/domain/ids';
import { dropShipSofas } from '../test/fixtures/network';
import { makeOrder } from '../test/fixtures/orders';
import { inPool, ledgerFigures, Teardown, withTimeLimit } from './lib/benchSupport';
import { cpuSeconds, cpuSnapshot, findGroups, otherLoad, WHOLE_MACHINE } from './lib/bench/cpu';
import { historyCost, type HistoryCost } from './lib/bench/history';
import { startHub, OPS_KEY, type Hub, type Seed } from './lib/bench/hub';
import { printLifecycle, runLifecycle, type LifecycleFigures } from './lib/bench/lifecycle';
import { BENCH_CHANNEL, burst, openLoop, postPaidOrder, type LoadRun } from './lib/bench/load';
import { counterBy, delta, histogram, scrape, type HistogramFigures, type Sample } from './lib/bench/metrics';
import {
  census,
  checkStock,
  percentiles,
  readOutcomes,
  sampleHistories,
  waitUntilSettled,
  type Census,
  type Percentiles,
  type StockCheck,
} from './lib/bench/observe';
import { fmt, printTable, toJson, writeJson } from './lib/bench/report';
import { startStack } from './lib/stack';
import { root } from './lib/tools';

const MODES = ['steady', 'hot', 'step', 'probe', 'ledger', 'escalation', 'lifecycle'] as const;
type Mode = (typeof MODES)[number];

const USAGE = `npm run bench -- --mode steady|hot|step|probe|ledger|escalation|lifecycle [options]
  steady  --rate 10 --duration 20            paid orders per second, open loop, for so many seconds (+ the probe)
  hot     --orders 500 --units 100 --concurrency 500
  step    --rates 5,10,15,25,35,50,67 --step-duration 30 --limit 30   (+ the probe)
  probe   one happy-path order through its return window (3 s here)
  ledger  --callers 200 --ledger-units 1000
  escalation --orders 10                     orders left alone past ES-5 (5 s here): threshold → notice sent
  lifecycle --rate 10 --duration 20 --partner-latency-ms 50 --partner-failures 0.02 --cancel-share 0.03
            --address-share 0.03 --hold-share 0.02 --return-share 0.05 --dropship-share 0.05
            --wms-steps all|shipped                 (a WMS reporting accepted, picking, packed, shipped, or only shipped)
                                             every order the whole way: intake → … → delivered (+ returns)
common    --workers 2 --sample 20 --settle-timeout 900 --request-timeout 120 --no-probe --json <file> --time-limit 3600 --wait-quiet 0 --keep`;

/** The command line, validated. */
interface Options {
  mode: Mode;
  rate: number;
  duration: number;
  rates: number[];
  stepDuration: number;
  limitSeconds: number;
  orders: number;
  units: number;
  concurrency: number;
  workers: number;
  sample: number;
  settleTimeout: number;
  requestTimeout: number;
  probe: boolean;
  json?: string;
  timeLimit: number;
  waitQuiet: number;
  /** Keep the scratch folder (server logs, data) instead of deleting it. */
  keep: boolean;
  callers: number;
  ledgerUnits: number;
  /** Lifecycle mode: the demo partners' mean answer time (ms) and share of 429/500/timeouts. */
  partnerLatencyMs: number;
  partnerFailures: number;
  /** Lifecycle mode: shares of orders cancelled, re-addressed, held, returned and drop-shipped. */
  cancelShare: number;
  addressShare: number;
  holdShare: number;
  returnShare: number;
  dropshipShare: number;
  /** Lifecycle mode: the steps the bench's WMS reports for each parcel. */
  wmsSteps: 'all' | 'shipped';
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      mode: { type: 'string', default: 'steady' },
      rate: { type: 'string', default: '10' },
      duration: { type: 'string', default: '20' },
      rates: { type: 'string', default: '5,10,15,25,35,50,67' },
      'step-duration': { type: 'string', default: '30' },
      limit: { type: 'string', default: '30' },
      orders: { type: 'string', default: '500' },
      units: { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '500' },
      workers: { type: 'string', default: '2' },
      sample: { type: 'string', default: '20' },
      'settle-timeout': { type: 'string', default: '900' },
      'request-timeout': { type: 'string', default: '120' },
      'no-probe': { type: 'boolean', default: false },
      json: { type: 'string' },
      'time-limit': { type: 'string', default: '3600' },
      'wait-quiet': { type: 'string', default: '0' },
      keep: { type: 'boolean', default: false },
      callers: { type: 'string', default: '200' },
      'ledger-units': { type: 'string', default: '1000' },
      'partner-latency-ms': { type: 'string', default: '50' },
      'partner-failures': { type: 'string', default: '0.02' },
      'cancel-share': { type: 'string', default: '0.03' },
      'address-share': { type: 'string', default: '0.03' },
      'hold-share': { type: 'string', default: '0.02' },
      'return-share': { type: 'string', default: '0.05' },
      'dropship-share': { type: 'string', default: '0.05' },
      'wms-steps': { type: 'string', default: 'all' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const positive = (name: string, raw: string | undefined): number => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} must be a positive number, got "${raw}"`);
    return value;
  };
  const integer = (name: string, raw: string | undefined): number => {
    const value = positive(name, raw);
    if (!Number.isInteger(value)) throw new UsageError(`--${name} must be a whole number, got "${raw}"`);
    return value;
  };
  const fraction = (name: string, raw: string | undefined): number => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || value > 1) throw new UsageError(`--${name} must be a share from 0 to 1, got "${raw}"`);
    return value;
  };
  const shares = ['cancel', 'address', 'hold', 'return', 'dropship'].map((p) =>
    fraction(`${p}-share`, values[`${p}-share` as 'cancel-share']),
  );
  if (shares.reduce((a, b) => a + b, 0) > 1) throw new UsageError('the --*-share options add up to more than 1');
  const latency = Number(values['partner-latency-ms']);
  if (!Number.isFinite(latency) || latency < 0)
    throw new UsageError(`--partner-latency-ms must be 0 or more, got "${values['partner-latency-ms']}"`);
  if (!MODES.includes(values.mode as Mode)) throw new UsageError(`--mode must be one of ${MODES.join(', ')}, got "${values.mode}"`);
  return {
    mode: values.mode as Mode,
    rate: positive('rate', values.rate),
    duration: positive('duration', values.duration),
    rates: (values.rates ?? '').split(',').map((r) => positive('rates', r.trim())),
    stepDuration: positive('step-duration', values['step-duration']),
    limitSeconds: positive('limit', values.limit),
    orders: integer('orders', values.orders),
    units: integer('units', values.units),
    concurrency: integer('concurrency', values.concurrency),
    workers: integer('workers', values.workers),
    sample: integer('sample', values.sample),
    settleTimeout: positive('settle-timeout', values['settle-timeout']),
    requestTimeout: positive('request-timeout', values['request-timeout']),
    probe: !values['no-probe'],
    json: values.json,
    timeLimit: positive('time-limit', values['time-limit']),
    waitQuiet: Math.max(0, Number(values['wait-quiet']) || 0),
    keep: values.keep ?? false,
    callers: integer('callers', values.callers),
    ledgerUnits: integer('ledger-units', values['ledger-units']),
    partnerLatencyMs: latency,
    partnerFailures: fraction('partner-failures', values['partner-failures']),
    cancelShare: shares[0]!,
    addressShare: shares[1]!,
    holdShare: shares[2]!,
    returnShare: shares[3]!,
    dropshipShare: shares[4]!,
    wmsSteps: wmsStepsOf(values['wms-steps']),
  };
}

function wmsStepsOf(raw: string | undefined): Options['wmsSteps'] {
  if (raw === 'all' || raw === 'shipped') return raw;
  throw new UsageError(`--wms-steps must be all or shipped, not ${raw}`);
}

class UsageError extends Error {
  override name = 'UsageError';
}

// The catalogue the steady and step orders draw from: every SKU stocked far beyond any run in every warehouse
// the East and South China orders route to, so every order is reserved and none waits for stock.
const SKUS = Array.from({ length: 20 }, (_, i) => `BENCH-${String(i + 1).padStart(3, '0')}`);
const WAREHOUSES = ['suzhou', 'hefei', 'guangzhou'];
const PLENTY = 10_000_000;
const HOT_SKU = 'HOT-001';
const HOT_WAREHOUSE = 'suzhou';
const PROBE_BRAND = 'probe';
/** The probe's return window: short, so its order completes within the run. */
const PROBE_RETURN_WINDOW_S = 3;

const EAST = makeOrder().shippingAddress;
const SOUTH = { name: '李四', phone: '13912345678', province: '广东', city: '广州', district: '天河区', line1: '天河路 385 号 1 栋 808' };

/** Order i of a load: one line of one catalogue SKU, three in four to East China, one in four to South China. */
function loadOrder(brand: string, i: number, sku = SKUS[i % SKUS.length]!): CanonicalOrder {
  return makeOrder({
    channel: BENCH_CHANNEL,
    brand,
    shippingAddress: i % 4 === 3 ? SOUTH : EAST,
    lines: [{ lineId: 'L1', sku, category: 'tshirt', quantity: 1, unitPrice: 99, listPrice: 99 }],
  });
}

/** Rows of the CPU table besides the hub's processes. */
const HUB_TOTAL = 'hub total (API + workers + Temporal + database)';
const LOAD_GENERATOR = 'load generator';
const OTHERS = 'other processes on the machine';

/** Where the figures of one process group go. */
interface CpuFigures {
  seconds: number;
  perOrderMs: number | null;
  /** Percent of one core over the measured window (the machine has os.cpus().length cores). */
  percentOfOneCore: number;
}

/** Every figure of one load (a steady run, one step, or the hot run). */
interface LoadFigures {
  label: string;
  brand: string;
  offered: { orders: number; ratePerSecond: number | null; postedPerSecond: number; postingSeconds: number; generatorMaxLagMs: number };
  intake: {
    accepted: number;
    refused: number;
    failed: number;
    answers: Record<string, number>;
    ackMs: Percentiles;
    /** From orderhub_webhook_ack_seconds on the API's /metrics, in ms; null when the API does not expose it. */
    ackMsFromMetric: (Omit<HistogramFigures, 'mean'> & { mean: number }) | null;
  };
  reserved: {
    orders: number;
    held: number;
    holdReasons: Record<string, number>;
    neither: number;
    /** Reserved orders per second, first post to the last STOCK_RESERVED entry. */
    achievedPerSecond: number | null;
    /** Seconds from the first post to the last STOCK_RESERVED entry. */
    spanSeconds: number | null;
    /** Payment → STOCK_RESERVED in seconds over every accepted order not held; an order never reserved counts as Infinity. */
    paymentToReservedS: Percentiles;
    /**
     * Median payment → reserved of the first and the last tenth of the orders (by send time), in s: when the last
     * tenth waits much longer than the first, the hub fell behind during the load and the rate is not sustained.
     */
    trendS: { firstTenthP50: number | null; lastTenthP50: number | null };
    /** From orderhub_payment_to_reserved_seconds on the workers' /metrics; null when not exposed. */
    paymentToReservedSFromMetric: HistogramFigures | null;
  };
  settle: { settled: boolean; waitedSeconds: number; stoppedEarly?: string };
  /** Billable actions and history bytes of a sample of these orders so far (they are still open, waiting for shipment). */
  historySample: Awaited<ReturnType<typeof sampleHistories>>['summary'] | null;
  cpu: { windowSeconds: number; byProcess: Record<string, CpuFigures> };
  checks: Census & StockCheck & { auditUnread: number; reservedTwice: number };
  /** Hub counters over the load (from the /metrics endpoints), when exposed. */
  counters: Record<string, Record<string, number>>;
  /** Database commands of the API and the workers by command: how many (and per order) and their latency; empty when not exposed. */
  databaseCommands: ReturnType<typeof databaseCommands>;
  /** Schedule-to-start latencies of workflow and activity tasks from the workers' SDK metrics (units as the SDK exports them). */
  sdkTaskLatencies: Record<string, HistogramFigures>;
}

/** The happy-path probe's figures. */
interface ProbeFigures {
  orderId: string;
  status: string;
  wallSeconds: number;
  cost?: HistoryCost;
  /** The order's messages to partners as the deliveries log has them, e.g. "wms:suzhou pickList delivered ×1". */
  deliveries?: string[];
  error?: string;
}

/** One scrape of every metrics endpoint of the hub: the API's, the workers' hub metrics and their SDK metrics. */
interface HubScrape {
  api: Sample[];
  /** One list per worker process. */
  workers: Sample[][];
  sdk: Sample[][];
}

async function scrapeAll(hub: Hub): Promise<HubScrape> {
  const [api, ...rest] = await Promise.all([
    scrape(hub.metricsUrls.api),
    ...hub.metricsUrls.workers.map(scrape),
    ...hub.metricsUrls.sdk.map(scrape),
  ]);
  const workers = rest.slice(0, hub.metricsUrls.workers.length).map((w) => w.samples);
  const sdk = rest.slice(hub.metricsUrls.workers.length).map((w) => w.samples);
  return { api: api!.samples, workers, sdk };
}

/** after − before of each endpoint (every process has its own registry), all endpoints' samples together. */
function deltas(before: Sample[][], after: Sample[][]): Sample[] {
  return after.flatMap((samples, i) => delta(before[i] ?? [], samples));
}

/** Database commands of the hub's processes over a load, from orderhub_db_operation_seconds{command}. */
function databaseCommands(
  samples: Sample[],
  orders: number,
): Record<string, { count: number; perOrder: number; p50Ms: number; p99Ms: number }> {
  const commands = [
    ...new Set(samples.filter((s) => s.name === 'orderhub_db_operation_seconds_bucket').map((s) => s.labels.command ?? '')),
  ];
  const out: Record<string, { count: number; perOrder: number; p50Ms: number; p99Ms: number }> = {};
  for (const command of commands.sort()) {
    const h = histogram(samples, 'orderhub_db_operation_seconds', { command });
    if (h)
      out[command] = {
        count: h.count,
        perOrder: round(h.count / Math.max(1, orders), 2),
        p50Ms: round(h.p50 * 1000, 2),
        p99Ms: round(h.p99 * 1000, 2),
      };
  }
  return out;
}

/** Task queue latencies of the workers from the Temporal SDK's own metrics (every *schedule_to_start* histogram). */
function sdkLatencies(samples: Sample[]): Record<string, HistogramFigures> {
  const names = [...new Set(samples.filter((s) => /schedule_to_start.*_bucket$/.test(s.name)).map((s) => s.name.replace(/_bucket$/, '')))];
  const out: Record<string, HistogramFigures> = {};
  for (const name of names.sort()) {
    const h = histogram(samples, name);
    if (h) out[name] = rounded(h, 3);
  }
  return out;
}

/** Posts a load, waits for it to settle, and reads every figure back. */
async function runLoad(
  hub: Hub,
  opts: Options,
  load: { label: string; brand: string; orders: CanonicalOrder[]; rate?: number; inFlight?: number; p99LimitMs?: number },
  stockPairs: Array<[string, string]>,
): Promise<LoadFigures> {
  const groups = findGroups(
    { API: hub.api.pid, ...Object.fromEntries(hub.workers.map((w, i) => [`worker ${i + 1}`, w.pid])) },
    hub.scratch,
  );
  await waitForQuiet(groups, opts.waitQuiet);
  const metricsBefore = await scrapeAll(hub);
  const cpuBefore = cpuSnapshot(groups);
  const started = Date.now();
  console.log(
    `\n${load.label}: ${load.orders.length} orders${load.rate ? ` at ${load.rate}/s open loop` : `, ${load.inFlight} in flight`}, brand ${load.brand}`,
  );
  const run: LoadRun = load.rate
    ? await openLoop(hub.baseUrl, load.orders, load.rate, opts.requestTimeout * 1000)
    : await burst(hub.baseUrl, load.orders, load.inFlight ?? load.orders.length, opts.requestTimeout * 1000);
  const accepted = run.posted.filter((p) => p.status === 202);
  console.log(`  posted in ${((run.lastSentAt - run.firstSentAt) / 1000).toFixed(1)} s; ${accepted.length} accepted; waiting to settle…`);
  const settle = await waitUntilSettled(hub.client, load.brand, accepted, {
    timeoutMs: opts.settleTimeout * 1000,
    p99LimitMs: load.p99LimitMs,
    progress: (count) => console.log(`  … ${count} of ${accepted.length} settled after ${((Date.now() - started) / 1000).toFixed(0)} s`),
  });
  const cpuAfter = cpuSnapshot(groups);
  const windowSeconds = (Date.now() - started) / 1000;
  const metricsAfter = await scrapeAll(hub);
  console.log(`  ${settle.settled ? 'settled' : `NOT settled (${settle.count} of ${accepted.length})`}; reading audit trails…`);

  const readStarted = Date.now();
  const outcomes = await readOutcomes(hub.baseUrl, accepted, settle.settled ? 30_000 : 5_000);
  console.log(
    `  read ${outcomes.length} audit trails in ${((Date.now() - readStarted) / 1000).toFixed(0)} s; listing workflows, histories, ledger…`,
  );
  const [people, histories, stock] = await Promise.all([
    census(
      hub.client,
      load.brand,
      accepted.map((p) => p.orderId),
    ),
    sampleHistories(
      hub.client,
      accepted.map((p) => p.orderId),
      opts.sample,
    ),
    checkStock(hub.stores, stockPairs),
  ]);

  const reserved = outcomes.filter((o) => o.reservedAt !== undefined);
  const held = outcomes.filter((o) => o.held);
  const lastReservedAt = Math.max(...reserved.map((o) => o.reservedAt!));
  const spanSeconds = reserved.length > 0 ? (lastReservedAt - run.firstSentAt) / 1000 : null;
  const latencies = outcomes
    .filter((o) => !o.held)
    .map((o) => (o.paymentToReservedMs === undefined ? Infinity : o.paymentToReservedMs / 1000));
  // Every process has its own registry: a figure over the hub is the sum of each process's difference.
  const hubDelta = deltas([metricsBefore.api, ...metricsBefore.workers], [metricsAfter.api, ...metricsAfter.workers]);
  const ackMetric = histogram(hubDelta, 'orderhub_webhook_ack_seconds');
  const reservedMetric = histogram(hubDelta, 'orderhub_payment_to_reserved_seconds');
  const sdkDelta = deltas(metricsBefore.sdk, metricsAfter.sdk);
  const counters: Record<string, Record<string, number>> = {};
  const counterSpecs: Array<[name: string, label: string]> = [
    ['orderhub_webhook_acks_total', 'outcome'],
    ['orderhub_reservations_total', 'outcome'],
    ['orderhub_ledger_conflicts_total', ''],
    ['orderhub_order_status_changes_total', 'status'],
  ];
  for (const [name, label] of counterSpecs) {
    const by = counterBy(hubDelta, name, label);
    if (Object.keys(by).length > 0) counters[name] = by;
  }
  const holdReasons: Record<string, number> = {};
  for (const reason of held.flatMap((o) => o.holdReasons)) holdReasons[reason] = (holdReasons[reason] ?? 0) + 1;
  const answers: Record<string, number> = {};
  for (const p of run.posted) {
    const key = p.status === 202 ? (p.answer ?? '202') : `HTTP ${p.status || 'failed'}`;
    answers[key] = (answers[key] ?? 0) + 1;
  }
  const cpu = cpuSeconds(cpuBefore, cpuAfter);
  // What ran on the machine besides the hub and the bench (other people's tests, say): it competes for the cores.
  const measured = Object.entries(cpu)
    .filter(([name]) => name !== WHOLE_MACHINE)
    .reduce((sum, [, s]) => sum + s, 0);
  cpu[HUB_TOTAL] = Object.entries(cpu)
    .filter(([name]) => name !== WHOLE_MACHINE && name !== LOAD_GENERATOR)
    .reduce((sum, [, s]) => sum + s, 0);
  cpu[OTHERS] = Math.max(0, (cpu[WHOLE_MACHINE] ?? 0) - measured);
  const byProcess: Record<string, CpuFigures> = {};
  for (const [name, seconds] of Object.entries(cpu)) {
    byProcess[name] = {
      seconds: round(seconds, 2),
      perOrderMs: accepted.length > 0 ? round((seconds * 1000) / accepted.length, 2) : null,
      percentOfOneCore: round((seconds / windowSeconds) * 100, 1),
    };
  }
  const postingSeconds = (run.lastSentAt - run.firstSentAt) / 1000;
  return {
    label: load.label,
    brand: load.brand,
    offered: {
      orders: run.posted.length,
      ratePerSecond: load.rate ?? null,
      postedPerSecond: postingSeconds > 0 ? round((run.posted.length - 1) / postingSeconds, 2) : run.posted.length,
      postingSeconds: round(postingSeconds, 2),
      generatorMaxLagMs: Math.round(run.maxLagMs),
    },
    intake: {
      accepted: accepted.length,
      refused: run.posted.filter((p) => p.status !== 202 && p.status !== 0).length,
      failed: run.posted.filter((p) => p.status === 0).length,
      answers,
      ackMs: rounded(percentiles(accepted.map((p) => p.ackMs)), 1),
      ackMsFromMetric: ackMetric
        ? rounded(
            {
              count: ackMetric.count,
              p50: ackMetric.p50 * 1000,
              p95: ackMetric.p95 * 1000,
              p99: ackMetric.p99 * 1000,
              mean: ackMetric.mean * 1000,
            },
            1,
          )
        : null,
    },
    reserved: {
      orders: reserved.length,
      held: held.length,
      holdReasons,
      neither: outcomes.length - reserved.length - held.length,
      achievedPerSecond: spanSeconds ? round(reserved.length / spanSeconds, 2) : null,
      spanSeconds: spanSeconds === null ? null : round(spanSeconds, 2),
      paymentToReservedS: rounded(percentiles(latencies), 3),
      trendS: {
        firstTenthP50: rounded(percentiles(latencies.slice(0, Math.ceil(latencies.length / 10))), 3).p50,
        lastTenthP50: rounded(percentiles(latencies.slice(-Math.ceil(latencies.length / 10))), 3).p50,
      },
      paymentToReservedSFromMetric: reservedMetric ? rounded(reservedMetric, 3) : null,
    },
    settle: {
      settled: settle.settled,
      waitedSeconds: round((settle.endedAt - run.lastSentAt) / 1000, 1),
      stoppedEarly: settle.stoppedEarly,
    },
    historySample: histories.summary ?? null,
    cpu: { windowSeconds: round(windowSeconds, 1), byProcess },
    checks: {
      ...people,
      ...stock,
      auditUnread: outcomes.filter((o) => !o.auditRead).length,
      reservedTwice: outcomes.filter((o) => o.reservedEntries > 1).length,
    },
    counters,
    databaseCommands: databaseCommands(hubDelta, accepted.length),
    sdkTaskLatencies: sdkLatencies(sdkDelta),
  };
}

/**
 * Other people's processes on the machine (a test run, a build) compete with the hub for its cores and skew every
 * figure: says how busy the machine is besides the hub and, with --wait-quiet, waits up to so many seconds for it
 * to fall below a fifth of one core.
 */
async function waitForQuiet(groups: Record<string, number[]>, waitSeconds: number): Promise<void> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const load = await otherLoad(groups, 3);
    if (load < 20) return;
    if (Date.now() >= deadline) {
      console.log(`  WARNING: other processes use ${load.toFixed(0)} % of one core on this machine; the figures will be skewed`);
      return;
    }
    console.log(`  other processes use ${load.toFixed(0)} % of one core; waiting for the machine to be quiet…`);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
  }
}

/** The same figures with every number but `count` rounded (Infinity and null stay). */
function rounded<T extends object>(figures: T, digits: number): T {
  return Object.fromEntries(
    Object.entries(figures).map(([k, v]) => [k, k !== 'count' && typeof v === 'number' && Number.isFinite(v) ? round(v, digits) : v]),
  ) as T;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

const ms = (p: Percentiles, digits = 0) => `${fmt(p.p50, digits)} / ${fmt(p.p95, digits)} / ${fmt(p.p99, digits)}`;
const metricPs = (h: { p50: number; p95: number; p99: number; count: number } | null, digits: number, unit: string) =>
  h ? `${fmt(h.p50, digits)} / ${fmt(h.p95, digits)} / ${fmt(h.p99, digits)} ${unit} (${h.count} observed)` : 'not exposed';

/** Prints one load's figures. */
function printLoad(f: LoadFigures): void {
  const c = f.checks;
  const cost = f.historySample;
  console.log(`\n${f.label}`);
  printTable(
    ['figure', 'value'],
    [
      [
        'offered',
        `${f.offered.orders} orders${f.offered.ratePerSecond ? ` at ${f.offered.ratePerSecond}/s` : ''} (posted at ${fmt(f.offered.postedPerSecond, 2)}/s over ${fmt(f.offered.postingSeconds)} s; generator lag ≤ ${f.offered.generatorMaxLagMs} ms)`,
      ],
      [
        'accepted (202)',
        `${f.intake.accepted}; refused ${f.intake.refused}, failed ${f.intake.failed}; answers ${JSON.stringify(f.intake.answers)}`,
      ],
      [
        'achieved (reserved/s)',
        `${fmt(f.reserved.achievedPerSecond, 2)} (${f.reserved.orders} reserved, first post → last STOCK_RESERVED ${fmt(f.reserved.spanSeconds)} s)`,
      ],
      ['ack p50/p95/p99 client', `${ms(f.intake.ackMs)} ms`],
      ['ack p50/p95/p99 metric', metricPs(f.intake.ackMsFromMetric, 1, 'ms')],
      ['payment → reserved p50/p95/p99', `${ms(f.reserved.paymentToReservedS, 2)} s (max ${fmt(f.reserved.paymentToReservedS.max, 2)} s)`],
      ['  … first → last tenth p50', `${fmt(f.reserved.trendS.firstTenthP50, 2)} → ${fmt(f.reserved.trendS.lastTenthP50, 2)} s`],
      ['  … from worker metric', metricPs(f.reserved.paymentToReservedSFromMetric, 2, 's')],
      [
        'held / neither',
        `${f.reserved.held} held ${JSON.stringify(f.reserved.holdReasons)}; ${f.reserved.neither} neither reserved nor held`,
      ],
      [
        'settled',
        f.settle.settled
          ? `yes, ${f.settle.waitedSeconds} s after the last post`
          : `NO${f.settle.stoppedEarly ? `: ${f.settle.stoppedEarly}` : ''}`,
      ],
      [
        'actions / history per order (so far)',
        cost
          ? `${cost.actionsMean} actions, ${cost.eventsMean} events, ${(cost.bytesMean / 1000).toFixed(1)} KB (sample of ${cost.histories})`
          : 'n/a',
      ],
      [
        'oversold units',
        `${c.oversoldUnits} (bad entries ${c.badEntries}, broken links ${c.brokenLinks}, inconsistent pairs ${c.inconsistentPairs})`,
      ],
      [
        'lost / duplicated orders',
        `${c.lost} / ${c.duplicated} (workflows ${c.workflows}, unexpected ${c.unexpected}, reserved twice ${c.reservedTwice + c.doubleReservedOrders}, audit unread ${c.auditUnread})`,
      ],
    ],
  );
  console.log(`CPU over ${f.cpu.windowSeconds} s (first post → settled)`);
  printTable(
    ['process', 'CPU s', 'CPU ms / order', '% of one core'],
    Object.entries(f.cpu.byProcess).map(([name, p]) => [name, fmt(p.seconds, 2), fmt(p.perOrderMs, 1), fmt(p.percentOfOneCore, 0)]),
  );
  if (Object.keys(f.counters).length > 0) console.log(`hub counters: ${JSON.stringify(f.counters)}`);
  const commands = Object.entries(f.databaseCommands);
  if (commands.length > 0) {
    console.log('database commands of the API and workers (orderhub_db_operation_seconds)');
    printTable(
      ['command', 'count', 'per order', 'p50 ms', 'p99 ms'],
      commands.map(([name, c]) => [name, c.count, fmt(c.perOrder, 2), fmt(c.p50Ms, 2), fmt(c.p99Ms, 2)]),
    );
  }
  for (const [name, h] of Object.entries(f.sdkTaskLatencies))
    console.log(`${name}: p50 ${fmt(h.p50, 3)} / p99 ${fmt(h.p99, 3)} (${h.count} tasks)`);
}

/** Reports one progress step for the probe's shipment, as operations may (manual corrections use the same endpoint). */
async function progress(hub: Hub, orderId: string, shipmentId: string, step: string, extra: Record<string, unknown> = {}) {
  const response = await fetch(`${hub.baseUrl}/v1/orders/${orderId}/shipments/${shipmentId}/progress`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': OPS_KEY, 'idempotency-key': `${orderId}-${shipmentId}-${step}` },
    body: JSON.stringify({ step, at: new Date().toISOString(), ...extra }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`progress ${step} answered ${response.status}: ${text.slice(0, 300)}`);
}

/** One order through payment, shipment, delivery and its (shortened) return window; its real history's cost. */
async function probe(hub: Hub): Promise<ProbeFigures> {
  const order = loadOrder(PROBE_BRAND, 0);
  const orderId = orderIdOf(order.channel, order.channelOrderId);
  const started = Date.now();
  console.log(`\nHappy-path probe: ${orderId} through shipment, delivery and a ${PROBE_RETURN_WINDOW_S} s return window`);
  try {
    const posted = await postPaidOrder(hub.baseUrl, order, Date.now(), 60_000);
    if (posted.status !== 202) throw new Error(`intake answered ${posted.status}`);
    const read = async () => {
      const response = await fetch(`${hub.baseUrl}/v1/orders/${orderId}`, { headers: { 'x-api-key': OPS_KEY } });
      return response.ok
        ? ((await response.json()) as { order?: { status: string; shipments: Array<{ shipmentId: string }> } }).order
        : undefined;
    };
    const waitFor = async (status: string, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const view = await read();
        if (view?.status === status) return view;
        if (Date.now() > deadline) throw new Error(`the order did not reach ${status} (it is ${view?.status ?? 'unknown'})`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    const fulfilling = await waitFor('FULFILLING', 120_000);
    for (const { shipmentId } of fulfilling.shipments) {
      for (const step of ['accepted', 'picking', 'packed']) await progress(hub, orderId, shipmentId, step);
      await progress(hub, orderId, shipmentId, 'shipped', { trackingNumber: `SF${shipmentId.replace(/\W/g, '')}0001`, carrier: 'SF' });
    }
    const view = await waitFor('SHIPPED', 60_000);
    for (const { shipmentId } of view.shipments) await progress(hub, orderId, shipmentId, 'delivered');
    const handle = hub.client.workflow.getHandle(orderWorkflowId(orderId));
    await withTimeLimit(handle.result(), 120_000, 'the probe order to complete');
    const cost = historyCost(await handle.fetchHistory());
    return {
      orderId,
      status: 'COMPLETED',
      wallSeconds: round((Date.now() - started) / 1000, 1),
      cost,
      deliveries: await deliveriesOf(hub, orderId),
    };
  } catch (error) {
    // What the order sent and how partners answered is usually why it stopped short (a delivery refused for good).
    const deliveries = await deliveriesOf(hub, orderId).catch(() => undefined);
    return { orderId, status: 'failed', wallSeconds: round((Date.now() - started) / 1000, 1), deliveries, error: String(error) };
  }
}

/** One line per message the order sent to a partner, from the deliveries log. */
async function deliveriesOf(hub: Hub, orderId: string): Promise<string[]> {
  const rows = await hub.stores.deliveries.ofOrder(orderId);
  return rows.map((d) => `${d.partner.kind}:${d.partner.id} ${d.kind} ${d.state} ×${d.attempts}`);
}

function printProbe(p: ProbeFigures): void {
  if (!p.cost) {
    console.log(`  probe FAILED: ${p.error}`);
    if (p.deliveries) console.log(`  its deliveries: ${p.deliveries.join('; ') || 'none'}`);
    return;
  }
  printTable(
    ['happy-path order', 'value'],
    [
      ['billable actions', `${p.cost.actions} ${JSON.stringify(p.cost.byKind)}`],
      ['history', `${p.cost.events} events, ${p.cost.bytes} bytes (${(p.cost.bytes / 1000).toFixed(1)} KB)`],
      ['activities', `${JSON.stringify(p.cost.activities)}; local activities: ${p.cost.localActivities}`],
      ['wall time', `${p.wallSeconds} s (includes the ${PROBE_RETURN_WINDOW_S} s return window)`],
      ['deliveries', (p.deliveries ?? []).join('; ') || 'none'],
    ],
  );
}

/** A step passes when every order settled, none is left neither reserved nor held, and p99 payment → reserved is within the limit. */
function withinLimit(f: LoadFigures, limitSeconds: number): boolean {
  const p99 = f.reserved.paymentToReservedS.p99;
  return f.settle.settled && f.reserved.neither === 0 && p99 !== null && p99 <= limitSeconds;
}

/** Seed of the order modes: the catalogue everywhere, and the probe brand's short return window. */
function seedFor(opts: Options): Seed {
  const stock: Record<string, number> = {};
  if (opts.mode === 'hot') stock[`${HOT_SKU}@${HOT_WAREHOUSE}`] = opts.units;
  else for (const sku of SKUS) for (const w of WAREHOUSES) stock[`${sku}@${w}`] = PLENTY;
  if (opts.mode === 'hot' || opts.probe || opts.mode === 'probe') stock[`${SKUS[0]}@suzhou`] ??= PLENTY;
  return {
    stock,
    overrides: [{ id: 'bench-probe', brand: PROBE_BRAND, settings: { returnWindowSeconds: PROBE_RETURN_WINDOW_S } }],
    // Lifecycle mode drop-ships its sofas (category sofa) from the test network's sofa maker.
    ...(opts.mode === 'lifecycle' ? { rules: [dropShipSofas] } : {}),
  };
}

const catalogPairs = (): Array<[string, string]> => SKUS.flatMap((sku) => WAREHOUSES.map((w): [string, string] => [sku, w]));

/** The figures of a whole invocation, as written to JSON. */
interface Report {
  bench: 'order-hub';
  mode: Mode;
  revision: string;
  startedAt: string;
  machine: { cores: number; cpu: string; memoryGb: number; node: string };
  database: string;
  options: Options;
  probe?: ProbeFigures;
  loads: LoadFigures[];
  step?: { limitSeconds: number; kneeRate: number | null; firstFailingRate: number | null; why?: string };
  hot?: {
    units: number;
    orders: number;
    reserved: number;
    held: number;
    reservationsPerSecond: number | null;
    reserveSpanSeconds: number | null;
    perSecondFromFirstPost: number | null;
    oversoldUnits: number;
  };
  ledger?: Record<string, unknown>;
  escalation?: EscalationFigures;
  lifecycle?: LifecycleFigures;
  /** Events each demo partner accepted over the whole run (each message once, however often it was delivered). */
  partners?: Record<string, number>;
  /** The headline figures, printed as JSON at the end. */
  summary?: Record<string, unknown>;
}

/** The headline figures of a report: one entry per load, the probe, the knee, the hot SKU. */
function summarise(report: Report): Record<string, unknown> {
  const cost = (c: HistoryCost | undefined) => (c ? { actions: c.actions, events: c.events, bytes: c.bytes } : null);
  return {
    mode: report.mode,
    revision: report.revision,
    database: report.database,
    ...(report.probe ? { happyPath: cost(report.probe.cost) } : {}),
    loads: report.loads.map((f) => ({
      label: f.label,
      offeredPerSecond: f.offered.ratePerSecond ?? f.offered.postedPerSecond,
      achievedPerSecond: f.reserved.achievedPerSecond,
      accepted: f.intake.accepted,
      reserved: f.reserved.orders,
      held: f.reserved.held,
      ackMs: { p50: f.intake.ackMs.p50, p95: f.intake.ackMs.p95, p99: f.intake.ackMs.p99 },
      ackMsFromMetric: f.intake.ackMsFromMetric,
      paymentToReservedS: {
        p50: f.reserved.paymentToReservedS.p50,
        p95: f.reserved.paymentToReservedS.p95,
        p99: f.reserved.paymentToReservedS.p99,
      },
      paymentToReservedTrendS: f.reserved.trendS,
      paymentToReservedSFromMetric: f.reserved.paymentToReservedSFromMetric,
      actionsPerOrderSoFar: f.historySample?.actionsMean ?? null,
      historyBytesPerOrderSoFar: f.historySample?.bytesMean ?? null,
      cpuMsPerOrder: Object.fromEntries(Object.entries(f.cpu.byProcess).map(([name, p]) => [name, p.perOrderMs])),
      oversoldUnits: f.checks.oversoldUnits,
      lostOrders: f.checks.lost,
      duplicatedOrders: f.checks.duplicated,
    })),
    ...(report.step ? { step: report.step } : {}),
    ...(report.hot ? { hot: report.hot } : {}),
    ...(report.ledger ? { ledger: report.ledger } : {}),
    ...(report.partners ? { partnersReceived: report.partners } : {}),
    ...(report.lifecycle ? { lifecycle: lifecycleSummary(report.lifecycle) } : {}),
  };
}

/** The headline figures of a lifecycle run. */
function lifecycleSummary(f: LifecycleFigures): Record<string, unknown> {
  return {
    offeredPerSecond: f.options.rate,
    orders: f.offered.orders,
    completedPerSecond: f.completed.perSecond,
    completedPerSecondDuringStream: f.completed.duringStreamPerSecond,
    completed: f.completed.orders,
    completedByPath: f.completed.byPath,
    cancelled: f.completed.cancelled,
    unfinished: f.completed.unfinished,
    paidToCompletedS: f.stagesS['paid → completed (end to end)'],
    paidToCompletedTrendS: f.completed.trendS,
    actionsByPath: Object.fromEntries(
      Object.entries(f.historyByPath).map(([p, s]) => [p, s ? { actions: s.actionsMean, bytes: s.bytesMean } : null]),
    ),
    cpuMsPerCompletedOrder: Object.fromEntries(Object.entries(f.cpu.byProcess).map(([name, p]) => [name, p.perCompletedOrderMs])),
    escalationsFired: f.escalations.fired,
    ordersWithErrors: f.errors.orders,
    invariantCheck: f.invariantCheck.ran ? { exitCode: f.invariantCheck.exitCode } : 'not run',
  };
}

function revision(): string {
  if (process.env.BENCH_REVISION) return process.env.BENCH_REVISION;
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim();
    return dirty ? `${sha}+uncommitted` : sha;
  } catch {
    return 'unknown';
  }
}

/** ES-6 figures: when ES-5 fired after falling due, and when its notices were acknowledged after it fell due. */
interface EscalationFigures {
  orders: number;
  fired: number;
  firedAfterDueS: Percentiles | null;
  noticeLagS: HistogramFigures | null;
  noticesReceived: { wecom: number; email: number };
}

/** Brand of the escalation mode's orders, whose ES-5 waits 5 s. */
const STUCK_BRAND = 'stuckbench';
const STUCK_ES5_S = 5;

/**
 * Posts paid orders nobody works on under a policy whose ES-5 waits 5 s, waits until each escalated, and reads the
 * time from the threshold to the notice leaving the hub (the workers' metric) and to the level firing (the orders).
 */
async function escalationLag(hub: Hub, opts: Options): Promise<EscalationFigures> {
  const ops = { 'content-type': 'application/json', 'x-api-key': OPS_KEY };
  const overrides = [{ id: 'bench-stuck', brand: STUCK_BRAND, settings: { es5: { after: `${STUCK_ES5_S}s` }, es5b: { after: '1h' } } }];
  const saved = await fetch(`${hub.baseUrl}/v1/settings/escalation-policy`, {
    method: 'PUT',
    headers: ops,
    body: JSON.stringify({ body: { base: {}, overrides } }),
  });
  if (!saved.ok) throw new Error(`saving the escalation policy answered ${saved.status}: ${await saved.text()}`);
  const orders = Array.from({ length: opts.orders }, (_, i) => loadOrder(STUCK_BRAND, i));
  await Promise.all(orders.map((order) => postPaidOrder(hub.baseUrl, order, Date.now(), opts.requestTimeout * 1000)));
  const ids = orders.map((o) => orderIdOf(o.channel, o.channelOrderId));
  const firedAfterDue: number[] = [];
  const deadline = Date.now() + 120_000;
  for (const id of ids) {
    while (Date.now() < deadline) {
      const read = await fetch(`${hub.baseUrl}/v1/orders/${id}`, { headers: ops });
      const body = (await read.json()) as { order?: { escalations?: Array<{ level: string; since: string; firedAt: string }> } };
      const es5 = body.order?.escalations?.find((e) => e.level === 'ES-5');
      if (es5) {
        firedAfterDue.push((Date.parse(es5.firedAt) - Date.parse(es5.since)) / 1000 - STUCK_ES5_S);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  // The notices are sent beside the order: give them a moment, then read what the workers measured.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const samples = (await Promise.all(hub.metricsUrls.workers.map(scrape))).flatMap((s) => s.samples);
  return {
    orders: ids.length,
    fired: firedAfterDue.length,
    firedAfterDueS: firedAfterDue.length > 0 ? percentiles(firedAfterDue) : null,
    noticeLagS: histogram(samples, 'orderhub_escalation_notice_lag_seconds') ?? null,
    noticesReceived: { wecom: hub.partners.people.wecom.messages().length, email: hub.partners.people.smtp.mails().length },
  };
}

async function runOrderModes(opts: Options, report: Report, scratch: string, teardown: Teardown): Promise<void> {
  const hub = await startHub(scratch, opts.workers, seedFor(opts), teardown);
  const groups = findGroups({}, scratch);
  report.database = groups.postgresql ? 'FerretDB on PostgreSQL' : groups.ferretdb ? 'FerretDB on SQLite' : 'unknown';
  console.log(`[bench] stack up: ${report.database}, Temporal dev server, API + ${opts.workers} worker processes (${hub.baseUrl})`);
  if (opts.mode === 'probe' || (opts.probe && (opts.mode === 'steady' || opts.mode === 'step'))) {
    report.probe = await probe(hub);
    printProbe(report.probe);
  }
  if (opts.mode === 'escalation') {
    const figures = await escalationLag(hub, opts);
    report.escalation = figures;
    console.log(`\nescalation: ${figures.orders} orders left alone, ES-5 after ${STUCK_ES5_S} s`);
    printTable(
      ['figure', 'value'],
      [
        ['ES-5 fired', `${figures.fired} of ${figures.orders}`],
        [
          'fired after due p50/p95/p99',
          figures.firedAfterDueS
            ? `${fmt(figures.firedAfterDueS.p50, 3)} / ${fmt(figures.firedAfterDueS.p95, 3)} / ${fmt(figures.firedAfterDueS.p99, 3)} s`
            : 'n/a',
        ],
        [
          'due → notice acknowledged p50/p95/p99 (ES-6)',
          figures.noticeLagS
            ? `${fmt(figures.noticeLagS.p50, 3)} / ${fmt(figures.noticeLagS.p95, 3)} / ${fmt(figures.noticeLagS.p99, 3)} s (${figures.noticeLagS.count} notices)`
            : 'n/a',
        ],
        ['received', `WeCom ${figures.noticesReceived.wecom}, e-mail ${figures.noticesReceived.email}`],
      ],
    );
  }
  if (opts.mode === 'lifecycle') {
    await waitForQuiet(
      findGroups({ API: hub.api.pid, ...Object.fromEntries(hub.workers.map((w, i) => [`worker ${i + 1}`, w.pid])) }, hub.scratch),
      opts.waitQuiet,
    );
    report.lifecycle = await runLifecycle(
      hub,
      {
        rate: opts.rate,
        duration: opts.duration,
        partnerLatencyMs: opts.partnerLatencyMs,
        partnerFailures: opts.partnerFailures,
        shares: {
          cancel: opts.cancelShare,
          address: opts.addressShare,
          hold: opts.holdShare,
          return: opts.returnShare,
          dropship: opts.dropshipShare,
        },
        wmsSteps: opts.wmsSteps,
        sample: opts.sample,
        requestTimeout: opts.requestTimeout,
        settleTimeout: opts.settleTimeout,
      },
      SKUS,
    );
    printLifecycle(report.lifecycle);
  }
  if (opts.mode === 'steady') {
    const count = Math.max(1, Math.round(opts.rate * opts.duration));
    const orders = Array.from({ length: count }, (_, i) => loadOrder('steady', i));
    const figures = await runLoad(
      hub,
      opts,
      { label: `steady ${opts.rate}/s for ${opts.duration} s`, brand: 'steady', orders, rate: opts.rate },
      catalogPairs(),
    );
    report.loads.push(figures);
    printLoad(figures);
  }
  if (opts.mode === 'hot') {
    const orders = Array.from({ length: opts.orders }, (_, i) => loadOrder('hot', i, HOT_SKU));
    // East China only: the hot SKU is stocked in Suzhou alone, so the orders race for the same units.
    for (const o of orders) o.shippingAddress = EAST;
    const figures = await runLoad(
      hub,
      opts,
      {
        label: `hot SKU: ${opts.orders} paid orders for ${opts.units} units of ${HOT_SKU}@${HOT_WAREHOUSE}`,
        brand: 'hot',
        orders,
        inFlight: opts.concurrency,
      },
      [[HOT_SKU, HOT_WAREHOUSE]],
    );
    report.loads.push(figures);
    printLoad(figures);
    const pair = `${HOT_SKU}@${HOT_WAREHOUSE}`;
    const span = figures.checks.reserveSpanSeconds[pair] ?? null;
    report.hot = {
      units: opts.units,
      orders: opts.orders,
      reserved: figures.reserved.orders,
      held: figures.reserved.held,
      reservationsPerSecond: figures.checks.reservesPerSecond[pair] ?? null,
      reserveSpanSeconds: span,
      perSecondFromFirstPost: figures.reserved.achievedPerSecond,
      oversoldUnits: figures.checks.oversoldUnits + Math.max(0, figures.checks.reserves - opts.units),
    };
    printTable(
      ['hot SKU', 'value'],
      [
        [
          'reserved / held',
          `${report.hot.reserved} / ${report.hot.held} (expected ${Math.min(opts.units, figures.intake.accepted)} reserved)`,
        ],
        ['reservations/s on the SKU', `${fmt(report.hot.reservationsPerSecond, 1)} (first → last reserve entry, ${fmt(span, 2)} s)`],
        ['reserved/s from first post', fmt(report.hot.perSecondFromFirstPost, 1)],
        ['oversold units', String(report.hot.oversoldUnits)],
      ],
    );
  }
  if (opts.mode === 'step') {
    const limitMs = opts.limitSeconds * 1000;
    report.step = { limitSeconds: opts.limitSeconds, kneeRate: null, firstFailingRate: null };
    for (const rate of opts.rates) {
      const brand = `step-${String(rate).replace(/\W/g, '_')}`;
      const count = Math.max(1, Math.round(rate * opts.stepDuration));
      const orders = Array.from({ length: count }, (_, i) => loadOrder(brand, i));
      const figures = await runLoad(
        hub,
        opts,
        { label: `step ${rate}/s for ${opts.stepDuration} s`, brand, orders, rate, p99LimitMs: limitMs },
        catalogPairs(),
      );
      report.loads.push(figures);
      printLoad(figures);
      const p99 = figures.reserved.paymentToReservedS.p99;
      if (!withinLimit(figures, opts.limitSeconds)) {
        report.step.firstFailingRate = rate;
        report.step.why = figures.settle.stoppedEarly ?? `p99 payment → reserved ${fmt(p99, 1)} s`;
        break;
      }
      report.step.kneeRate = rate;
    }
    console.log('\nStep summary');
    printTable(
      [
        'offered/s',
        'achieved/s',
        'ack p99 ms',
        'pay→reserved p50 s',
        'p99 s',
        'p50 first → last tenth s',
        'hub CPU ms/order',
        'within limit',
      ],
      report.loads.map((f) => {
        const p99 = f.reserved.paymentToReservedS.p99;
        const all = f.cpu.byProcess[HUB_TOTAL]?.perOrderMs ?? null;
        return [
          String(f.offered.ratePerSecond),
          fmt(f.reserved.achievedPerSecond, 2),
          fmt(f.intake.ackMs.p99, 0),
          fmt(f.reserved.paymentToReservedS.p50, 2),
          fmt(p99, 2),
          `${fmt(f.reserved.trendS.firstTenthP50, 2)} → ${fmt(f.reserved.trendS.lastTenthP50, 2)}`,
          fmt(all, 1),
          withinLimit(f, opts.limitSeconds) ? 'yes' : 'NO',
        ];
      }),
    );
    console.log(
      `knee: ${report.step.kneeRate ?? 'below the first step'} orders/s (p99 payment → reserved ≤ ${opts.limitSeconds} s)` +
        (report.step.firstFailingRate ? `; ${report.step.firstFailingRate}/s failed: ${report.step.why}` : '; every step passed'),
    );
  }
  report.partners = hub.partners.counts();
  console.log('\nDemo partners');
  printTable(
    ['partner', 'events accepted'],
    Object.entries(report.partners).map(([name, n]) => [name, String(n)]),
  );
}

/** The stock ledger alone: two instances on two connections, many callers reserving one unit at a time. */
async function runLedger(opts: Options, report: Report, scratch: string, teardown: Teardown): Promise<void> {
  const stackEnv: NodeJS.ProcessEnv = process.env.FERRETDB_HANDLER ? { FERRETDB_HANDLER: process.env.FERRETDB_HANDLER } : {};
  const stack = await startStack(
    { dataDir: scratch, persistent: false, database: 'orderhub-bench-ledger', logDir: path.join(scratch, 'logs') },
    stackEnv,
  );
  teardown.defer('stack', () => stack.stop());
  const groups = findGroups({}, scratch);
  report.database = groups.postgresql ? 'FerretDB on PostgreSQL' : groups.ferretdb ? 'FerretDB on SQLite' : 'unknown';
  const sku = 'LEDGER-001';
  const warehouse = 'suzhou';
  const dbs = await Promise.all(
    Array.from({ length: 2 }, () => connectDatabase(stack.mongoUri, { ferretdbPostgresqlUrl: stack.postgresqlUrl })),
  );
  for (const [i, db] of dbs.entries()) teardown.defer(`ledger connection ${i + 1}`, () => db.close());
  const ledgers = dbs.map((db) => createStores(db).ledger);
  await ledgers[0]!.adjust(sku, warehouse, 'bench-seed', 'receipt', opts.ledgerUnits, { actor: 'bench' });
  console.log(`\nLedger: 2 instances (separate connections), ${opts.callers} callers, ${opts.ledgerUnits} units of ${sku}@${warehouse}`);
  const cpuBefore = cpuSnapshot(groups);
  let failures = 0;
  const started = Date.now();
  await inPool(opts.callers, opts.callers, async (caller) => {
    const ledger = ledgers[caller % ledgers.length]!;
    for (let n = 0; n < opts.ledgerUnits; n += 1) {
      try {
        const outcome = await ledger.reserve(sku, warehouse, `bench-${caller}-${n}`, 1, { actor: 'bench' });
        if (outcome.status === 'refused') return;
      } catch {
        failures += 1;
        return;
      }
    }
  });
  const seconds = (Date.now() - started) / 1000;
  const cpu = cpuSeconds(cpuBefore, cpuSnapshot(groups));
  const figures = ledgerFigures(await ledgers[0]!.entries(sku, { warehouseId: warehouse, oldestFirst: true }));
  const collisions = ledgers.reduce((sum, l) => sum + l.collisions(), 0);
  report.ledger = {
    ...figures,
    seconds: round(seconds, 2),
    reservationsPerSecond: round(figures.reserves / seconds, 1),
    failures,
    collisions,
    cpuSeconds: cpu,
  };
  printTable(
    ['ledger', 'value'],
    [
      [
        'reservations',
        `${figures.reserves} in ${seconds.toFixed(1)} s: ${(figures.reserves / seconds).toFixed(0)}/s (first tenth ${fmt(figures.firstTenthPerSecond, 0)}/s, last tenth ${fmt(figures.lastTenthPerSecond, 0)}/s)`,
      ],
      ['seq collisions', `${collisions} inserts lost the race and were retried; ${failures} calls failed`],
      [
        'consistency',
        `reserved ${figures.reservedBalance} (sum ${figures.reservedBySum}, expected ${opts.ledgerUnits}), min available ${figures.minAvailable}, bad entries ${figures.negativeEntries}, broken links ${figures.brokenLinks}, seq gapless ${figures.gaplessSeq}`,
      ],
      [
        'CPU s',
        Object.entries(cpu)
          .map(([name, s]) => `${name} ${s.toFixed(1)}`)
          .join(', '),
      ],
    ],
  );
}

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
  const teardown = new Teardown();
  process.once('SIGINT', () => void teardown.run().finally(() => process.exit(130)));
  const startedAt = new Date();
  const report: Report = {
    bench: 'order-hub',
    mode: opts.mode,
    revision: revision(),
    startedAt: startedAt.toISOString(),
    machine: {
      cores: os.cpus().length,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    database: 'unknown',
    options: opts,
    loads: [],
  };
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'orderhub-bench-'));
  teardown.defer('scratch folder', async () =>
    opts.keep ? console.log(`[bench] kept ${scratch} (server logs in logs/)`) : rmSync(scratch, { recursive: true, force: true }),
  );
  try {
    const body = opts.mode === 'ledger' ? runLedger(opts, report, scratch, teardown) : runOrderModes(opts, report, scratch, teardown);
    await withTimeLimit(body, opts.timeLimit * 1000, 'the bench');
  } finally {
    const file = opts.json ?? path.join(root, '.data', 'bench', `${opts.mode}-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    report.summary = summarise(report);
    console.log(`\nSummary (JSON; every figure is in ${writeJson(file, report)}):\n${toJson(report.summary)}`);
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
