/**
 * Full-lifecycle load (`npm run bench -- --mode lifecycle`): paid orders posted open loop through the signed channel
 * webhook, and the bench plays every party after intake on the real API: the WMS (accepted, picking, packed, shipped
 * with the warehouse's own key once the pick list reaches the demo WMS), the drop-ship supplier (accept and ship with
 * its key once the push reaches it), the carrier (delivered with its key once the storefront has the write-back),
 * the buyer (cancellations, address changes, returns through the signed channel endpoints), operations (approving the
 * orders risk held) and the receiving warehouse (return receipt and inspection). The demo partners answer after a
 * drawn delay and fail a share of requests (429, 500, no answer). Figures: completed orders/s, time per stage, actions
 * and history bytes by path, CPU per order by process, deliveries per partner with retries, escalations fired, and
 * the invariant checker's verdict when scripts/check.ts exists.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { signWebhook } from '../../../src/api/auth';
import { accountIdOf } from '../../../src/db/accounts';
import { type CanonicalOrder } from '../../../src/domain/order';
import { orderIdOf, orderWorkflowId } from '../../../src/domain/ids';
import { makeOrder } from '../../../test/fixtures/orders';
import { inPool } from '../benchSupport';
import type { DemoReceivers } from '../partners/demo';
import type { WebhookEvent } from '../partners/webhookReceiver';
import { root } from '../tools';
import { cpuSeconds, cpuSnapshot, findGroups, WHOLE_MACHINE } from './cpu';
import { summariseCosts, historyCost, type CostSummary } from './history';
import { OPS_KEY, type Hub } from './hub';
import { BENCH_CHANNEL, CHANNEL_SECRET, postPaidOrder, type Posted } from './load';
import { counterBy, delta, scrape, type Sample } from './metrics';
import { percentiles, readAudit, type Percentiles } from './observe';
import { fmt, printTable } from './report';

/** What the hub answers (409) to a report whose previous step the order has not recorded yet: a partner tries again. */
const EARLY_REPORT = /has not been dispatched yet|has not shipped yet/;

/** The paths an order of the lifecycle load takes; every one but `cancel` ends DELIVERED. */
export const LIFECYCLE_PATHS = ['warehouse', 'dropship', 'cancel', 'address', 'hold', 'return'] as const;
/** One of the lifecycle paths. */
export type LifecyclePath = (typeof LIFECYCLE_PATHS)[number];

/** The lifecycle mode's settings, from the command line. */
export interface LifecycleOptions {
  rate: number;
  duration: number;
  /** Mean answer time of every demo partner, ms. */
  partnerLatencyMs: number;
  /** Share (0–1) of partner requests answered 429, 500 or not at all. */
  partnerFailures: number;
  /** Shares (0–1) of orders taking each path other than the plain warehouse one. */
  shares: Record<Exclude<LifecyclePath, 'warehouse'>, number>;
  /** `all`: the WMS reports accepted, picking, packed and shipped; `shipped`: only shipped, as many WMSes do. */
  wmsSteps: 'all' | 'shipped';
  /** Histories read per path. */
  sample: number;
  requestTimeout: number;
  /** Seconds to wait, after the last post, for every order to finish its path. */
  settleTimeout: number;
}

/** The brand of every lifecycle order (visibility and the invariant check can tell them apart). */
export const LIFECYCLE_BRAND = 'lifecycle';
/** The SKU the drop-ship orders buy: category `sofa`, which the test network's rule sends to `sofa-maker`. */
export const DROPSHIP_SKU = 'SOFA-001';
const DROPSHIP_SUPPLIER = 'sofa-maker';
const CARRIER = 'SF';
const WAREHOUSE_IDS = ['suzhou', 'hefei', 'guangzhou'];
const RETURN_ID = 'R1';

/** What the bench saw of one order, epoch ms throughout. */
interface Tracked {
  orderId: string;
  channelOrderId: string;
  path: LifecyclePath;
  order: CanonicalOrder;
  posted?: Posted;
  heldSeenAt?: number;
  approvedAt?: number;
  /** The pick list reached the WMS, or the drop-ship push the supplier. */
  dispatchedAt?: number;
  shipmentId?: string;
  warehouseId?: string;
  shippedSentAt?: number;
  shippedAt?: number;
  writtenBackAt?: number;
  deliveredSentAt?: number;
  deliveredAt?: number;
  /** DELIVERED and every shipment written back (the view says so). */
  completedAt?: number;
  cancelledAt?: number;
  addressChangedAt?: number;
  returnRequestedAt?: number;
  returnExpectedAt?: number;
  returnInspectedAt?: number;
  returnStatus?: string;
  /** Set once the bench has nothing more to do for the order: completed (return path: its return inspected), cancelled, or stopped by an error. */
  done?: boolean;
  /** Every unexpected answer, in order. */
  errors: string[];
  /** Reports answered 409 "not dispatched" or "not shipped yet" (the partner outran the order's own record) and retried. */
  earlyReports?: number;
}

/** Every figure of a lifecycle run. */
export interface LifecycleFigures {
  options: LifecycleOptions;
  offered: { orders: number; byPath: Record<string, number>; postedPerSecond: number | null; generatorMaxLagMs: number };
  intake: { accepted: number; refused: number; failed: number; ackMs: Percentiles };
  /** Orders DELIVERED with every shipment's write-back confirmed, per second from the first post to the last of them. */
  completed: {
    orders: number;
    perSecond: number | null;
    spanSeconds: number | null;
    /**
     * Completions per second inside the second half of the posting window (none of the tail after the last post): the
     * rate the hub kept up while the stream was on, once the pipeline had filled. Meaningful when the run is much
     * longer than paid → completed.
     */
    duringStreamPerSecond: number | null;
    byPath: Record<string, { expected: number; completed: number; perSecond: number | null }>;
    cancelled: number;
    unfinished: number;
    /** Paid → completed p50 of the first and the last tenth of the orders: a growing backlog shows here. */
    trendS: { firstTenthP50: number | null; lastTenthP50: number | null };
  };
  /** Seconds per stage over the orders that passed it (nearest-rank percentiles). */
  stagesS: Record<string, Percentiles>;
  returns: { requested: number; inspected: number; byStatus: Record<string, number> };
  holds: { seen: number; approved: number };
  /** Actions and history bytes of real histories, a sample per path (the orders are open: in their return window). */
  historyByPath: Record<string, CostSummary | null>;
  cpu: {
    windowSeconds: number;
    byProcess: Record<string, { seconds: number; perCompletedOrderMs: number | null; percentOfOneCore: number }>;
  };
  /** Database commands per completed order over the load (API and workers), in total and by command. */
  databaseCommands: { perCompletedOrder: number | null; byCommand: Record<string, number | null> };
  /** orderhub_delivery_attempts_total of the workers over the load, by partner and outcome. */
  deliveryAttempts: Record<string, Record<string, number>>;
  /** What each demo partner received: requests, distinct events accepted, failures injected. */
  partners: Record<string, { requests: number; accepted: number; retriesSeen: number; injected: Record<string, number> }>;
  /** ESCALATION_FIRED entries in the orders' audit trails (a healthy run has none), by level. */
  escalations: { fired: number; orders: number; byLevel: Record<string, number> };
  /** Orders with an unexpected answer, and the first few answers. */
  errors: { orders: number; examples: string[] };
  /** Reports answered 409 "not dispatched" or "not shipped yet" and retried: the partner outran the order's record of the step before. */
  earlyReports: { orders: number; retries: number };
  invariantCheck: InvariantCheckResult;
}

/** The invariant checker's verdict (scripts/check.ts), or why it did not run. */
export interface InvariantCheckResult {
  ran: boolean;
  /** The checker reported no violation and exited 0. */
  ok?: boolean;
  exitCode?: number | null;
  /** Its JSON report. */
  result?: unknown;
  note?: string;
  effectsFile?: string;
}

/** Picks each order's path by the configured shares, spread evenly through the stream (deterministic). */
export function assignPaths(count: number, shares: LifecycleOptions['shares']): LifecyclePath[] {
  const paths: LifecyclePath[] = new Array<LifecyclePath>(count).fill('warehouse');
  const credit: Record<string, number> = {};
  for (let i = 0; i < count; i += 1) {
    // Bresenham-style: each non-warehouse path earns its share per order and takes the order once it has earned one.
    for (const p of Object.keys(shares) as Array<keyof typeof shares>) credit[p] = (credit[p] ?? 0) + shares[p];
    const due = (Object.keys(shares) as Array<keyof typeof shares>).filter((p) => credit[p]! >= 1).sort((a, b) => credit[b]! - credit[a]!);
    if (due[0]) {
      paths[i] = due[0];
      credit[due[0]]! -= 1;
    }
  }
  return paths;
}

const EAST = makeOrder().shippingAddress;
const SOUTH = { name: '李四', phone: '13912345678', province: '广东', city: '广州', district: '天河区', line1: '天河路 385 号 1 栋 808' };

/** Order i of the load on its path: one line, one unit; a held order's address has a vague word risk holds. */
function lifecycleOrder(i: number, p: LifecyclePath, skus: string[]): CanonicalOrder {
  const address = i % 4 === 3 ? SOUTH : EAST;
  const line =
    p === 'dropship'
      ? { lineId: 'L1', sku: DROPSHIP_SKU, category: 'sofa', quantity: 1, unitPrice: 99, listPrice: 99 }
      : { lineId: 'L1', sku: skus[i % skus.length]!, category: 'tshirt', quantity: 1, unitPrice: 99, listPrice: 99 };
  return makeOrder({
    channel: BENCH_CHANNEL,
    brand: LIFECYCLE_BRAND,
    shippingAddress: p === 'hold' ? { ...address, line1: `${address.line1} 地铁站附近` } : address,
    lines: [line],
  });
}

/** An answer of the API to the bench. */
interface Answer {
  status: number;
  body: unknown;
}

/** The bench's HTTP client for one party: retries what did not reach the hub (no answer, 5xx, 429) a few times. */
async function call(
  baseUrl: string,
  method: string,
  urlPath: string,
  body: unknown,
  auth: { apiKey?: string; signed?: boolean; idempotencyKey?: string },
  timeoutMs: number,
): Promise<Answer> {
  let last: Answer = { status: 0, body: undefined };
  for (let attempt = 1; attempt <= 4; attempt += 1) {
    const raw = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth.apiKey) headers['x-api-key'] = auth.apiKey;
    if (auth.idempotencyKey) headers['idempotency-key'] = auth.idempotencyKey;
    if (auth.signed) {
      const timestamp = new Date().toISOString();
      headers['x-orderhub-timestamp'] = timestamp;
      headers['x-orderhub-signature'] = signWebhook(CHANNEL_SECRET, timestamp, raw ?? '');
    }
    try {
      const response = await fetch(`${baseUrl}${urlPath}`, { method, headers, body: raw, signal: AbortSignal.timeout(timeoutMs) });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      last = { status: response.status, body: parsed };
      if (response.status < 500 && response.status !== 429) return last;
    } catch (error) {
      last = { status: 0, body: String(error) };
    }
    await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
  }
  return last;
}

/** An order view as the API answers it (directly, or under `order` for GET /v1/orders/{id}). */
interface ViewLike {
  status?: string;
  shipments?: Array<{ shipmentId: string; writtenBack?: boolean; step?: string }>;
}
const viewOf = (body: unknown): ViewLike => {
  const b = body as { order?: ViewLike } & ViewLike;
  return b?.order && typeof b.order === 'object' && 'status' in b.order ? b.order : b;
};
const isComplete = (v: ViewLike) =>
  v.status === 'DELIVERED' && (v.shipments ?? []).length > 0 && (v.shipments ?? []).every((s) => s.writtenBack || s.step === 'rejected');
const excerpt = (a: Answer) => `${a.status} ${typeof a.body === 'string' ? a.body : JSON.stringify(a.body)}`.slice(0, 240);

/** The keys the bench acts with: each warehouse's, the carrier's and the drop-ship supplier's own account key. */
async function partyKeys(hub: Hub): Promise<{ warehouses: Record<string, string>; carrier: string; supplier: string }> {
  const warehouses: Record<string, string> = {};
  for (const id of WAREHOUSE_IDS) {
    const { key } = await hub.stores.accounts.create({
      kind: 'warehouse',
      partyId: id,
      name: `${id} WMS`,
      keyLabel: 'bench',
      actor: 'bench',
    });
    warehouses[id] = key.apiKey;
  }
  const carrier = await hub.stores.accounts.create({
    kind: 'carrier',
    partyId: CARRIER,
    name: 'SF Express',
    keyLabel: 'bench',
    actor: 'bench',
  });
  // seedHub created the sofa maker's account (its profile points at the demo suppliers server): another key for the bench.
  const supplier = await hub.stores.accounts.addKey(accountIdOf('supplier', DROPSHIP_SUPPLIER), 'bench', 'bench');
  return { warehouses, carrier: carrier.key.apiKey, supplier: supplier.apiKey };
}

/** Percentiles of seconds between two instants of each order that has both. */
function stage(orders: Tracked[], from: (t: Tracked) => number | undefined, to: (t: Tracked) => number | undefined): Percentiles {
  const values: number[] = [];
  for (const t of orders) {
    const a = from(t);
    const b = to(t);
    if (a !== undefined && b !== undefined) values.push((b - a) / 1000);
  }
  return rounded(percentiles(values));
}

function rounded(p: Percentiles): Percentiles {
  const r = (v: number | null) => (v === null || !Number.isFinite(v) ? v : Math.round(v * 1000) / 1000);
  return { count: p.count, p50: r(p.p50), p95: r(p.p95), p99: r(p.p99), max: r(p.max) };
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Reads new events of the given receivers since the last call (their accepted lists only grow). */
function eventFeed(receivers: Partial<DemoReceivers>): () => Array<{ role: string; event: WebhookEvent }> {
  const cursors: Record<string, number> = {};
  return () => {
    const out: Array<{ role: string; event: WebhookEvent }> = [];
    for (const [role, receiver] of Object.entries(receivers)) {
      if (!receiver) continue;
      const events = receiver.events();
      for (let i = cursors[role] ?? 0; i < events.length; i += 1) out.push({ role, event: events[i]! });
      cursors[role] = events.length;
    }
    return out;
  };
}

/** Runs the lifecycle load on a running hub and reads every figure back. */
export async function runLifecycle(hub: Hub, opts: LifecycleOptions, skus: string[]): Promise<LifecycleFigures> {
  const timeoutMs = opts.requestTimeout * 1000;
  const keys = await partyKeys(hub);
  const count = Math.max(1, Math.round(opts.rate * opts.duration));
  const paths = assignPaths(count, opts.shares);
  const tracked: Tracked[] = paths.map((p, i) => {
    const order = lifecycleOrder(i, p, skus);
    return { orderId: orderIdOf(order.channel, order.channelOrderId), channelOrderId: order.channelOrderId, path: p, order, errors: [] };
  });
  const byId = new Map(tracked.map((t) => [t.orderId, t]));
  const { receivers } = hub.partners;
  const roles = Object.keys(receivers) as Array<keyof DemoReceivers>;
  for (const role of roles) receivers[role].server.behave({ latencyMs: opts.partnerLatencyMs, failureShare: opts.partnerFailures });
  const requestsBefore = Object.fromEntries(roles.map((r) => [r, receivers[r].server.received.length]));
  const acceptedBefore = Object.fromEntries(roles.map((r) => [r, receivers[r].events().length]));

  const groups = findGroups(
    { API: hub.api.pid, ...Object.fromEntries(hub.workers.map((w, i) => [`worker ${i + 1}`, w.pid])) },
    hub.scratch,
  );
  const workersBefore = await Promise.all(hub.metricsUrls.workers.map(scrape));
  const apiBefore = await scrape(hub.metricsUrls.api);
  const cpuBefore = cpuSnapshot(groups);
  const started = Date.now();

  const api = (method: string, urlPath: string, body: unknown, auth: Parameters<typeof call>[4]) =>
    call(hub.baseUrl, method, urlPath, body, auth, timeoutMs);
  const channelPath = (t: Tracked, what: string) => `/v1/channels/${BENCH_CHANNEL}/orders/${encodeURIComponent(t.channelOrderId)}/${what}`;
  const fail = (t: Tracked, what: string, answer?: Answer) => {
    t.errors.push(answer ? `${what}: ${excerpt(answer)}` : what);
    t.done = true;
  };
  /**
   * Sends a partner's report again while the hub answers that the step before it is not recorded yet, as a partner
   * would: the pick list can reach the WMS, and the write-back the carrier waits for the channel, before the order has
   * recorded its dispatch or its shipment.
   */
  const retryingEarly = async (t: Tracked, send: (attempt: number) => Promise<Answer>): Promise<Answer> => {
    const retryUntil = Date.now() + 60_000;
    let answer = await send(0);
    for (let attempt = 1; answer.status === 409 && EARLY_REPORT.test(excerpt(answer)) && Date.now() < retryUntil; attempt += 1) {
      t.earlyReports = (t.earlyReports ?? 0) + 1;
      await new Promise((resolve) => setTimeout(resolve, 250));
      answer = await send(attempt);
    }
    return answer;
  };
  let trackingSeq = 0;
  const actions = new Set<Promise<void>>();
  const act = (work: () => Promise<void>) => {
    const running = work().catch((error: unknown) => console.error('[bench] lifecycle action failed:', error));
    actions.add(running);
    void running.finally(() => actions.delete(running));
  };

  /** The warehouse's WMS works the pick list: accepted, picking, packed, shipped with a tracking number. */
  const workPickList = async (
    t: Tracked,
    data: { shipmentId: string; warehouseId: string; waybill?: { carrier: string; trackingNumber: string } },
  ) => {
    const key = keys.warehouses[data.warehouseId];
    if (!key) return fail(t, `no key for warehouse ${data.warehouseId}`);
    if (t.path === 'cancel') {
      const answer = await api(
        'POST',
        channelPath(t, 'cancel'),
        { by: 'buyer', actor: 'bench-buyer', reason: 'changed my mind' },
        { signed: true },
      );
      if (answer.status === 200 && viewOf(answer.body).status === 'CANCELLED') t.cancelledAt = Date.now();
      else t.errors.push(`cancel: ${excerpt(answer)}`);
      t.done = true;
      return;
    }
    if (t.path === 'address') {
      const address = { ...t.order.shippingAddress, line1: `${t.order.shippingAddress.line1} 东门` };
      const answer = await api('POST', channelPath(t, 'address'), { address, actor: 'bench-buyer' }, { signed: true });
      if (answer.status !== 200) t.errors.push(`address: ${excerpt(answer)}`);
      else t.addressChangedAt = Date.now();
    }
    const report = async (step: string, extra: Record<string, unknown> = {}) => {
      const answer = await retryingEarly(t, (attempt) =>
        api(
          'POST',
          `/v1/orders/${t.orderId}/shipments/${data.shipmentId}/progress`,
          { step, at: new Date().toISOString(), ...extra },
          // A refused report was not applied: a retry goes under a key of its own.
          { apiKey: key, idempotencyKey: `${t.orderId}-${data.shipmentId}-${step}${attempt > 0 ? `-${attempt}` : ''}` },
        ),
      );
      if (answer.status !== 200) fail(t, `progress ${step}`, answer);
      return answer.status === 200;
    };
    for (const step of opts.wmsSteps === 'all' ? ['accepted', 'picking', 'packed'] : []) if (!(await report(step))) return;
    trackingSeq += 1;
    const waybill = data.waybill && /^[A-Za-z0-9-]{6,40}$/.test(data.waybill.trackingNumber) ? data.waybill : undefined;
    const trackingNumber = waybill?.trackingNumber ?? `${CARRIER}${String(trackingSeq).padStart(10, '0')}`;
    t.shippedSentAt = Date.now();
    if (await report('shipped', { trackingNumber, carrier: waybill?.carrier ?? CARRIER })) t.shippedAt = Date.now();
  };

  /** The drop-ship supplier accepts its push and ships the parcel. */
  const workDropShip = async (t: Tracked, data: { shipmentId: string; lines?: Array<{ lineId: string }> }) => {
    const accept = await api(
      'POST',
      `/v1/supplier/orders/${t.orderId}/accept`,
      {},
      { apiKey: keys.supplier, idempotencyKey: `${t.orderId}-accept` },
    );
    if (accept.status !== 200) return fail(t, 'supplier accept', accept);
    trackingSeq += 1;
    t.shippedSentAt = Date.now();
    const ship = await api(
      'POST',
      `/v1/supplier/orders/${t.orderId}/shipments`,
      {
        carrier: CARRIER,
        trackingNumber: `${CARRIER}DS${String(trackingSeq).padStart(10, '0')}`,
        lineIds: (data.lines ?? []).map((l) => l.lineId).filter(Boolean).length > 0 ? data.lines!.map((l) => l.lineId) : ['L1'],
      },
      { apiKey: keys.supplier, idempotencyKey: `${t.orderId}-ship` },
    );
    if (ship.status !== 200) return fail(t, 'supplier ship', ship);
    t.shippedAt = Date.now();
  };

  /** The carrier delivers once the channel has the write-back; a return-path buyer then asks to return. */
  const deliver = async (t: Tracked, shipmentId: string) => {
    t.deliveredSentAt = Date.now();
    const answer = await retryingEarly(t, (attempt) =>
      api(
        'POST',
        `/v1/orders/${t.orderId}/shipments/${shipmentId}/progress`,
        { step: 'delivered', at: new Date().toISOString() },
        { apiKey: keys.carrier, idempotencyKey: `${t.orderId}-${shipmentId}-delivered${attempt > 0 ? `-${attempt}` : ''}` },
      ),
    );
    if (answer.status !== 200) return fail(t, 'progress delivered', answer);
    t.deliveredAt = Date.now();
    let view = viewOf(answer.body);
    const deadline = Date.now() + 120_000;
    while (!isComplete(view) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      view = viewOf((await api('GET', `/v1/orders/${t.orderId}`, undefined, { apiKey: OPS_KEY })).body);
    }
    if (!isComplete(view)) return fail(t, `not DELIVERED with its write-back confirmed: ${view.status}`);
    t.completedAt = Date.now();
    if (t.path !== 'return') {
      t.done = true;
      return;
    }
    const requested = await api(
      'POST',
      channelPath(t, 'returns'),
      { returnId: RETURN_ID, lines: [{ lineId: 'L1', quantity: 1 }], reason: 'size_fit', outcome: 'refund' },
      { signed: true },
    );
    if (requested.status !== 201) return fail(t, 'return request', requested);
    t.returnRequestedAt = Date.now();
  };

  /** The receiving warehouse scans the returned parcel in and grades it intact. */
  const receiveReturn = async (t: Tracked, data: { returnId: string; warehouseId: string }) => {
    t.returnExpectedAt = Date.now();
    const key = keys.warehouses[data.warehouseId];
    if (!key) return fail(t, `no key for warehouse ${data.warehouseId}`);
    const base = `/v1/orders/${t.orderId}/returns/${data.returnId}`;
    const receipt = await api(
      'POST',
      `${base}/receipt`,
      { at: new Date().toISOString() },
      { apiKey: key, idempotencyKey: `${t.orderId}-return-receipt` },
    );
    if (receipt.status !== 200) return fail(t, 'return receipt', receipt);
    const inspection = await api(
      'POST',
      `${base}/inspection`,
      { lines: [{ lineId: 'L1', quantity: 1, condition: 'intact' }], inspector: 'bench-qc', at: new Date().toISOString() },
      { apiKey: key, idempotencyKey: `${t.orderId}-return-inspection` },
    );
    if (inspection.status !== 200) return fail(t, 'return inspection', inspection);
    t.returnInspectedAt = Date.now();
    t.done = true;
  };

  /** Operations approve an order risk held. */
  const approveHold = async (t: Tracked) => {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const view = viewOf((await api('GET', `/v1/orders/${t.orderId}`, undefined, { apiKey: OPS_KEY })).body);
      if (view.status === 'ON_HOLD') {
        t.heldSeenAt = Date.now();
        const answer = await api('POST', `/v1/orders/${t.orderId}/review`, { decision: 'approve', note: 'bench' }, { apiKey: OPS_KEY });
        if (answer.status !== 200) return fail(t, 'review', answer);
        t.approvedAt = Date.now();
        return;
      }
      if (view.status && view.status !== 'PAID' && view.status !== 'AWAITING_PAYMENT')
        return fail(t, `expected a hold, the order is ${view.status}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    fail(t, 'no hold within 120 s');
  };

  // Partner events drive every party's next step.
  const feed = eventFeed({ wms: receivers.wms, storefront: receivers.storefront, suppliers: receivers.suppliers });
  const dispatch = () => {
    for (const { role, event } of feed()) {
      const data = (event.data ?? {}) as Record<string, unknown>;
      const t = typeof data.orderId === 'string' ? byId.get(data.orderId) : undefined;
      if (!t || t.done) continue;
      if (role === 'wms' && event.type === 'pick_list.created' && t.dispatchedAt === undefined) {
        t.dispatchedAt = event.receivedAt;
        t.shipmentId = String(data.shipmentId);
        t.warehouseId = String(data.warehouseId);
        act(() => workPickList(t, data as unknown as Parameters<typeof workPickList>[1]));
      } else if (role === 'suppliers' && event.type === 'dropship.order_created' && t.dispatchedAt === undefined) {
        t.dispatchedAt = event.receivedAt;
        t.shipmentId = String(data.shipmentId);
        act(() => workDropShip(t, data as unknown as Parameters<typeof workDropShip>[1]));
      } else if (role === 'storefront' && event.type === 'shipment.shipped' && t.writtenBackAt === undefined) {
        t.writtenBackAt = event.receivedAt;
        act(() => deliver(t, String(data.shipmentId ?? t.shipmentId)));
      } else if (role === 'wms' && event.type === 'return.expected' && t.returnExpectedAt === undefined) {
        act(() =>
          receiveReturn(t, { returnId: String(data.returnId ?? RETURN_ID), warehouseId: String(data.warehouseId ?? t.warehouseId) }),
        );
      }
    }
  };
  const pump = setInterval(dispatch, 100);

  // Open loop: order i leaves at start + i / rate, whatever the answers before it.
  console.log(
    `\nlifecycle ${opts.rate}/s for ${opts.duration} s: ${count} orders (${LIFECYCLE_PATHS.map((p) => `${p} ${paths.filter((x) => x === p).length}`).join(', ')}); partners answer in ~${opts.partnerLatencyMs} ms, ${Math.round(opts.partnerFailures * 100)} % fail; the WMS reports ${opts.wmsSteps === 'all' ? 'accepted, picking, packed, shipped' : 'shipped only'}`,
  );
  const start = Date.now() + 50;
  let maxLagMs = 0;
  const posts: Array<Promise<void>> = [];
  for (let i = 0; i < tracked.length;) {
    const now = Date.now();
    while (i < tracked.length && start + (i * 1000) / opts.rate <= now) {
      const due = start + (i * 1000) / opts.rate;
      maxLagMs = Math.max(maxLagMs, now - due);
      const t = tracked[i]!;
      posts.push(
        postPaidOrder(hub.baseUrl, t.order, due, timeoutMs).then((posted) => {
          t.posted = posted;
          if (posted.status !== 202) fail(t, `intake answered ${posted.status || 'nothing'}`);
          else if (t.path === 'hold') act(() => approveHold(t));
        }),
      );
      i += 1;
    }
    if (i < tracked.length)
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(20, start + (i * 1000) / opts.rate - Date.now()))));
  }
  await Promise.all(posts);
  const lastPost = Date.now();
  console.log(`  posted in ${((lastPost - start) / 1000).toFixed(1)} s; driving every order to its end…`);

  // Until every order is done: completed, cancelled, its return inspected (return path), or stopped by an error.
  const finished = (t: Tracked) => t.done === true;
  const deadline = lastPost + opts.settleTimeout * 1000;
  let lastProgress = Date.now();
  while (tracked.some((t) => !finished(t)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (Date.now() - lastProgress > 30_000) {
      lastProgress = Date.now();
      const n = (pick: (t: Tracked) => unknown) => tracked.filter((t) => pick(t) !== undefined).length;
      console.log(
        `  … ${((Date.now() - started) / 1000).toFixed(0)} s: dispatched ${n((t) => t.dispatchedAt)}, shipped ${n((t) => t.shippedAt)}, written back ${n((t) => t.writtenBackAt)}, completed ${n((t) => t.completedAt)}, cancelled ${n((t) => t.cancelledAt)} of ${tracked.length}`,
      );
    }
  }
  clearInterval(pump);
  await Promise.all([...actions]);
  const cpuAfter = cpuSnapshot(groups);
  const windowSeconds = (Date.now() - started) / 1000;
  const workersAfter = await Promise.all(hub.metricsUrls.workers.map(scrape));
  const apiAfter = await scrape(hub.metricsUrls.api);
  for (const role of roles) receivers[role].server.behave({});
  console.log(
    `  ${tracked.every(finished) ? 'every order finished' : 'NOT every order finished'}; reading returns, audit trails and histories…`,
  );

  // Returns: where each stands now (the refund settles after inspection).
  const returnOrders = tracked.filter((t) => t.returnRequestedAt !== undefined);
  const returnDeadline = Date.now() + 60_000;
  for (;;) {
    await inPool(returnOrders.length, 16, async (k) => {
      const t = returnOrders[k]!;
      if (t.returnStatus === 'REFUNDED') return;
      const answer = await api('GET', `/v1/orders/${t.orderId}/returns/${RETURN_ID}`, undefined, { apiKey: OPS_KEY });
      t.returnStatus = answer.status === 200 ? String((answer.body as { status?: string }).status) : `HTTP ${answer.status}`;
    });
    if (returnOrders.every((t) => t.returnStatus === 'REFUNDED' || t.returnInspectedAt === undefined) || Date.now() > returnDeadline) break;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }

  // Audit trails: payment → STOCK_RESERVED, and every escalation that fired.
  const audits = await inPool(tracked.length, 16, async (i) => readAudit(hub.baseUrl, tracked[i]!.orderId));
  const reservedAt = new Map<string, number>();
  const escalationLevels: Record<string, number> = {};
  let escalatedOrders = 0;
  audits.forEach((entries, i) => {
    const t = tracked[i]!;
    const reserved = (entries ?? []).find((e) => e.action === 'STOCK_RESERVED');
    if (reserved) reservedAt.set(t.orderId, Date.parse(reserved.at));
    const fired = (entries ?? []).filter((e) => e.action === 'ESCALATION_FIRED');
    if (fired.length > 0) escalatedOrders += 1;
    for (const e of fired) {
      const level = String((e.after as { level?: string } | undefined)?.level ?? 'unknown');
      escalationLevels[level] = (escalationLevels[level] ?? 0) + 1;
    }
  });

  // Histories: a sample per path, evenly spread over the run.
  const historyByPath: LifecycleFigures['historyByPath'] = {};
  for (const p of LIFECYCLE_PATHS) {
    const ids = tracked.filter((t) => t.path === p && t.posted?.status === 202).map((t) => t.orderId);
    if (ids.length === 0) continue;
    const step = Math.max(1, ids.length / Math.max(1, opts.sample));
    const picked = [...new Set(Array.from({ length: Math.min(opts.sample, ids.length) }, (_, i) => ids[Math.floor(i * step)]!))];
    const costs = await inPool(picked.length, 4, async (i) => {
      try {
        return historyCost(await hub.client.workflow.getHandle(orderWorkflowId(picked[i]!)).fetchHistory());
      } catch {
        return undefined;
      }
    });
    historyByPath[p] = summariseCosts(costs.filter((c) => c !== undefined)) ?? null;
  }

  // CPU per completed order, by process.
  const cpu = cpuSeconds(cpuBefore, cpuAfter);
  const measured = Object.entries(cpu)
    .filter(([name]) => name !== WHOLE_MACHINE)
    .reduce((sum, [, s]) => sum + s, 0);
  cpu['hub total (API + workers + Temporal + database)'] = Object.entries(cpu)
    .filter(([name]) => name !== WHOLE_MACHINE && name !== 'load generator')
    .reduce((sum, [, s]) => sum + s, 0);
  cpu['other processes on the machine'] = Math.max(0, (cpu[WHOLE_MACHINE] ?? 0) - measured);
  const completed = tracked.filter((t) => t.completedAt !== undefined);
  const byProcess: LifecycleFigures['cpu']['byProcess'] = {};
  for (const [name, seconds] of Object.entries(cpu))
    byProcess[name] = {
      seconds: round(seconds, 2),
      perCompletedOrderMs: completed.length > 0 ? round((seconds * 1000) / completed.length, 2) : null,
      percentOfOneCore: round((seconds / windowSeconds) * 100, 1),
    };

  // Deliveries: the workers' attempts by partner and outcome, and what each demo partner saw.
  const attempts: Record<string, Record<string, number>> = {};
  const deltaSamples: Sample[] = workersAfter.flatMap((after, i) => delta(workersBefore[i]?.samples ?? [], after.samples));
  for (const s of deltaSamples.filter((x) => x.name === 'orderhub_delivery_attempts_total' && x.value > 0)) {
    const partner = s.labels.partner ?? 'unknown';
    const outcome = s.labels.outcome ?? 'total';
    attempts[partner] ??= {};
    attempts[partner][outcome] = (attempts[partner][outcome] ?? 0) + s.value;
  }
  // Database commands: every process's orderhub_db_operation_seconds count over the load, the bench's own reads through the API included.
  const commands = counterBy(
    [...deltaSamples, ...delta(apiBefore.samples, apiAfter.samples)],
    'orderhub_db_operation_seconds_count',
    'command',
  );
  const perOrder = (n: number) => (completed.length > 0 ? round(n / completed.length, 1) : null);
  const databaseCommands = {
    perCompletedOrder: perOrder(Object.values(commands).reduce((a, b) => a + b, 0)),
    byCommand: Object.fromEntries(Object.entries(commands).map(([command, n]) => [command, perOrder(n)])),
  };
  const partners: LifecycleFigures['partners'] = {};
  for (const role of roles) {
    const server = receivers[role].server;
    const requests = server.received.length - requestsBefore[role]!;
    const accepted = receivers[role].events().length - acceptedBefore[role]!;
    partners[role] = { requests, accepted, retriesSeen: requests - accepted, injected: { ...server.injected } };
  }

  // Headline figures.
  const firstPost = Math.min(...tracked.map((t) => t.posted?.sentAt ?? Infinity));
  const span = (list: Tracked[]) => {
    const last = Math.max(...list.map((t) => t.completedAt!));
    return list.length > 0 ? (last - firstPost) / 1000 : null;
  };
  const spanSeconds = span(completed);
  const lastSent = Math.max(...tracked.map((t) => t.posted?.sentAt ?? -Infinity));
  const halfWindow = (lastSent - firstPost) / 2000;
  const byPath: LifecycleFigures['completed']['byPath'] = {};
  for (const p of LIFECYCLE_PATHS) {
    const all = tracked.filter((t) => t.path === p);
    if (all.length === 0) continue;
    const done = all.filter((t) => t.completedAt !== undefined);
    const s = span(done);
    byPath[p] = { expected: p === 'cancel' ? 0 : all.length, completed: done.length, perSecond: s ? round(done.length / s, 2) : null };
  }
  const paid = (t: Tracked) => (t.posted ? Date.parse(t.posted.paidAt) : undefined);
  const endToEnd = tracked
    .filter((t) => t.path !== 'cancel')
    .map((t) => (t.completedAt && t.posted ? (t.completedAt - Date.parse(t.posted.paidAt)) / 1000 : Infinity));
  const tenth = Math.max(1, Math.ceil(endToEnd.length / 10));
  const warehousePaths = tracked.filter((t) => t.path !== 'dropship');
  const errored = tracked.filter((t) => t.errors.length > 0);
  const effectsFile = path.join(hub.scratch, 'partner-effects.json');
  writeFileSync(effectsFile, JSON.stringify(partnerEffects(receivers)));
  const accepted = tracked.filter((t) => t.posted?.status === 202);
  const returnStatuses: Record<string, number> = {};
  for (const t of returnOrders) returnStatuses[t.returnStatus ?? 'unknown'] = (returnStatuses[t.returnStatus ?? 'unknown'] ?? 0) + 1;
  const postedTimes = tracked.map((t) => t.posted?.sentAt ?? 0).filter((x) => x > 0);
  const postingSeconds = (Math.max(...postedTimes) - Math.min(...postedTimes)) / 1000;
  return {
    options: opts,
    offered: {
      orders: tracked.length,
      byPath: Object.fromEntries(LIFECYCLE_PATHS.map((p) => [p, paths.filter((x) => x === p).length])),
      postedPerSecond: postingSeconds > 0 ? round((postedTimes.length - 1) / postingSeconds, 2) : null,
      generatorMaxLagMs: Math.round(maxLagMs),
    },
    intake: {
      accepted: accepted.length,
      refused: tracked.filter((t) => t.posted && t.posted.status !== 202 && t.posted.status !== 0).length,
      failed: tracked.filter((t) => t.posted?.status === 0).length,
      ackMs: rounded(percentiles(accepted.map((t) => t.posted!.ackMs))),
    },
    completed: {
      orders: completed.length,
      perSecond: spanSeconds ? round(completed.length / spanSeconds, 2) : null,
      spanSeconds: spanSeconds === null ? null : round(spanSeconds, 2),
      duringStreamPerSecond:
        halfWindow > 0
          ? round(
              completed.filter((t) => t.completedAt! >= lastSent - halfWindow * 1000 && t.completedAt! <= lastSent).length / halfWindow,
              2,
            )
          : null,
      byPath,
      cancelled: tracked.filter((t) => t.cancelledAt !== undefined).length,
      unfinished: tracked.filter((t) => t.path !== 'cancel' && t.completedAt === undefined).length,
      trendS: {
        firstTenthP50: rounded(percentiles(endToEnd.slice(0, tenth))).p50,
        lastTenthP50: rounded(percentiles(endToEnd.slice(-tenth))).p50,
      },
    },
    stagesS: {
      'paid → reserved (audit)': stage(warehousePaths, paid, (t) => reservedAt.get(t.orderId)),
      'reserved → pick list at WMS': stage(
        warehousePaths,
        (t) => reservedAt.get(t.orderId),
        (t) => t.dispatchedAt,
      ),
      'paid → pushed to supplier (drop-ship)': stage(
        tracked.filter((t) => t.path === 'dropship'),
        paid,
        (t) => t.dispatchedAt,
      ),
      'dispatched → shipped reported (bench as WMS/supplier)': stage(
        tracked,
        (t) => t.dispatchedAt,
        (t) => t.shippedAt,
      ),
      'shipped → written back (storefront received)': stage(
        tracked,
        (t) => t.shippedSentAt,
        (t) => t.writtenBackAt,
      ),
      'written back → delivered confirmed': stage(
        tracked,
        (t) => t.writtenBackAt,
        (t) => t.completedAt,
      ),
      'paid → completed (end to end)': stage(tracked, paid, (t) => t.completedAt),
      'hold seen → approved': stage(
        tracked,
        (t) => t.heldSeenAt,
        (t) => t.approvedAt,
      ),
      'pick list → cancelled': stage(
        tracked,
        (t) => t.dispatchedAt,
        (t) => t.cancelledAt,
      ),
      'return requested → expected at WMS': stage(
        tracked,
        (t) => t.returnRequestedAt,
        (t) => t.returnExpectedAt,
      ),
      'return expected → inspected': stage(
        tracked,
        (t) => t.returnExpectedAt,
        (t) => t.returnInspectedAt,
      ),
    },
    returns: {
      requested: returnOrders.length,
      inspected: tracked.filter((t) => t.returnInspectedAt !== undefined).length,
      byStatus: returnStatuses,
    },
    holds: {
      seen: tracked.filter((t) => t.heldSeenAt !== undefined).length,
      approved: tracked.filter((t) => t.approvedAt !== undefined).length,
    },
    historyByPath,
    cpu: { windowSeconds: round(windowSeconds, 1), byProcess },
    databaseCommands,
    deliveryAttempts: attempts,
    partners,
    escalations: { fired: Object.values(escalationLevels).reduce((a, b) => a + b, 0), orders: escalatedOrders, byLevel: escalationLevels },
    earlyReports: {
      orders: tracked.filter((t) => (t.earlyReports ?? 0) > 0).length,
      retries: tracked.reduce((sum, t) => sum + (t.earlyReports ?? 0), 0),
    },
    errors: { orders: errored.length, examples: errored.slice(0, 8).map((t) => `${t.orderId} (${t.path}): ${t.errors.join('; ')}`) },
    invariantCheck: await runInvariantCheck(hub, effectsFile),
  };
}

/**
 * Effects per idempotency key (the Standard Webhooks `webhook-id`) at the demo partners, as the checker's `--effects`
 * takes them: each receiver dedupes and records an accepted message once, so a key counts once per receiver that acted.
 * Refund status questions are left out: they change nothing at the partner.
 */
export function partnerEffects(receivers: DemoReceivers): Record<string, number> {
  const out: Record<string, number> = {};
  for (const receiver of Object.values(receivers))
    for (const event of receiver.events()) {
      // A refund.status question acts on nothing (and goes out under a fresh id each time, logged under the refund's key).
      if (event.type !== 'refund.status') out[event.id] = (out[event.id] ?? 0) + 1;
    }
  return out;
}

/** The checker the lifecycle run ends with, once it exists (built beside this bench). */
const CHECKER = path.join(root, 'scripts', 'check.ts');

/**
 * Hook: runs the invariant checker (`npx tsx scripts/check.ts --json`, with `--effects <file>` when it takes one)
 * against the run's stack; when scripts/check.ts does not exist yet, says so and runs nothing.
 */
export async function runInvariantCheck(hub: Hub, effectsFile: string): Promise<InvariantCheckResult> {
  if (!existsSync(CHECKER))
    return {
      ran: false,
      note: 'scripts/check.ts does not exist yet (hook: runInvariantCheck in scripts/lib/bench/lifecycle.ts)',
      effectsFile,
    };
  const takesEffects = readFileSync(CHECKER, 'utf8').includes('--effects');
  const args = ['--import', 'tsx', 'scripts/check.ts', '--json', ...(takesEffects ? ['--effects', effectsFile] : [])];
  console.log(`  invariant check: node ${args.join(' ')}`);
  return await new Promise<InvariantCheckResult>((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: root, env: { ...process.env, ...hub.env, LOG_LEVEL: 'warn' }, timeout: 600_000, maxBuffer: 64 * 2 ** 20 },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        let report:
          { ok?: boolean; summary?: Array<{ invariant: string; checked: number; violations: number; warnings: number }> } | undefined;
        try {
          report = JSON.parse(stdout) as typeof report;
        } catch {
          report = undefined;
        }
        if (!report) {
          const tail = `${stderr || stdout}`.trim().split('\n').slice(-15).join('\n');
          resolve({ ran: true, exitCode, note: `the checker gave no JSON report: ${tail}`, effectsFile });
          return;
        }
        const rows = report.summary ?? [];
        const violations = rows.reduce((sum, r) => sum + r.violations, 0);
        const warnings = rows.reduce((sum, r) => sum + r.warnings, 0);
        const note = `${report.ok ? 'pass' : 'FAIL'}: ${rows.length} invariants, ${rows.reduce((sum, r) => sum + r.checked, 0)} checks, ${violations} violations, ${warnings} warnings`;
        resolve({ ran: true, exitCode, ok: report.ok === true && exitCode === 0, note, result: report, effectsFile });
      },
    );
  });
}

const ps = (p: Percentiles, digits = 2) => `${fmt(p.p50, digits)} / ${fmt(p.p95, digits)} / ${fmt(p.p99, digits)}`;

/** Prints a lifecycle run's figures. */
export function printLifecycle(f: LifecycleFigures): void {
  const c = f.completed;
  console.log('\nlifecycle');
  printTable(
    ['figure', 'value'],
    [
      [
        'offered',
        `${f.offered.orders} orders at ${f.options.rate}/s (posted at ${fmt(f.offered.postedPerSecond, 2)}/s; generator lag ≤ ${f.offered.generatorMaxLagMs} ms) ${JSON.stringify(f.offered.byPath)}`,
      ],
      [
        'accepted (202)',
        `${f.intake.accepted}; refused ${f.intake.refused}, failed ${f.intake.failed}; ack p50/p95/p99 ${ps(f.intake.ackMs, 0)} ms`,
      ],
      [
        'completed orders/s',
        `${fmt(c.perSecond, 2)} (${c.orders} DELIVERED with write-back confirmed, first post → last ${fmt(c.spanSeconds)} s)`,
      ],
      ...Object.entries(c.byPath).map(([p, b]): [string, string] => [
        `  ${p}`,
        p === 'cancel' ? `${c.cancelled} cancelled` : `${b.completed} of ${b.expected} completed, ${fmt(b.perSecond, 2)}/s`,
      ]),
      ['completed/s while the stream was on', `${fmt(c.duringStreamPerSecond, 2)} (second half of the posting window)`],
      ['unfinished', `${c.unfinished} orders that should have completed did not`],
      ['paid → completed p50, first → last tenth', `${fmt(c.trendS.firstTenthP50, 2)} → ${fmt(c.trendS.lastTenthP50, 2)} s`],
      ['holds seen / approved', `${f.holds.seen} / ${f.holds.approved}`],
      ['returns requested / inspected', `${f.returns.requested} / ${f.returns.inspected}; now ${JSON.stringify(f.returns.byStatus)}`],
      ['escalations fired', `${f.escalations.fired} on ${f.escalations.orders} orders ${JSON.stringify(f.escalations.byLevel)}`],
      ['orders with unexpected answers', String(f.errors.orders)],
      [
        'reports before the step before was recorded',
        `${f.earlyReports.orders} orders (${f.earlyReports.retries} reports answered 409 "not dispatched" or "not shipped yet", retried)`,
      ],
    ],
  );
  for (const e of f.errors.examples) console.log(`  ${e}`);
  console.log('time per stage, s');
  printTable(
    ['stage', 'orders', 'p50 / p95 / p99', 'max'],
    Object.entries(f.stagesS).map(([name, p]) => [name, p.count, ps(p), fmt(p.max, 2)]),
  );
  console.log('actions and history per order by path (a sample; the orders are still open in their return window)');
  printTable(
    ['path', 'histories', 'actions mean (min–max)', 'events', 'KB mean (max)', 'actions by kind'],
    Object.entries(f.historyByPath).map(([p, s]) =>
      s
        ? [
            p,
            s.histories,
            `${s.actionsMean} (${s.actionsMin}–${s.actionsMax})`,
            s.eventsMean,
            `${(s.bytesMean / 1000).toFixed(1)} (${(s.bytesMax / 1000).toFixed(1)})`,
            JSON.stringify(s.byKindMean),
          ]
        : [p, 0, 'n/a', 'n/a', 'n/a', ''],
    ),
  );
  console.log(`CPU over ${f.cpu.windowSeconds} s (first post → every order finished), per completed order`);
  printTable(
    ['process', 'CPU s', 'ms / completed order', '% of one core'],
    Object.entries(f.cpu.byProcess).map(([name, p]) => [
      name,
      fmt(p.seconds, 2),
      fmt(p.perCompletedOrderMs, 1),
      fmt(p.percentOfOneCore, 0),
    ]),
  );
  console.log(
    `database commands per completed order (API and workers, orderhub_db_operation_seconds): ${fmt(f.databaseCommands.perCompletedOrder, 1)} ${JSON.stringify(f.databaseCommands.byCommand)}`,
  );
  console.log("deliveries per partner: the workers' attempts (orderhub_delivery_attempts_total) and what the demo partners saw");
  printTable(
    ['partner', 'attempts by outcome'],
    Object.entries(f.deliveryAttempts).map(([p, o]) => [p, JSON.stringify(o)]),
  );
  printTable(
    ['demo partner', 'requests', 'events accepted', 'requests beyond the first', 'failures injected'],
    Object.entries(f.partners).map(([p, s]) => [p, s.requests, s.accepted, s.retriesSeen, JSON.stringify(s.injected)]),
  );
  const check = f.invariantCheck;
  if (!check.ran) console.log(`invariant check: not run (${check.note}); partner effects written to ${check.effectsFile}`);
  else {
    console.log(`invariant check (scripts/check.ts, exit ${check.exitCode}): ${check.note}`);
    const rows = (
      check.result as { summary?: Array<{ invariant: string; checked: number; violations: number; warnings: number }> } | undefined
    )?.summary;
    if (rows)
      printTable(
        ['invariant', 'checked', 'violations', 'warnings'],
        rows.map((r) => [r.invariant, r.checked, r.violations, r.warnings]),
      );
  }
}
