/**
 * What the bench reads back after a load: each order's audit trail through the API (payment → STOCK_RESERVED),
 * Temporal's visibility (how many orders have settled; one workflow per order id), real workflow histories
 * (billable actions and bytes), and the stock ledger (nothing oversold, nothing reserved twice).
 */
import type { Client } from '@temporalio/client';
import { orderWorkflowId } from '../../../src/domain/ids';
import type { Stores } from '../../../src/db/stores';
import { inPool, ledgerFigures, percentile } from '../benchSupport';
import { historyCost, summariseCosts, type CostSummary, type HistoryCost } from './history';
import { OPS_KEY } from './hub';
import type { Posted } from './load';

/** Statuses an order can only reach once its payment has been handled: reserved, held, further on, or cancelled. */
export const SETTLED_STATUSES = ['RESERVED', 'FULFILLING', 'ON_HOLD', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CANCELLED'];

/** p50 / p95 / p99 / max of some values (ms or s); null where there are none; Infinity stands for "never". */
export interface Percentiles {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** Count, p50, p95, p99 and max of some values (nulls when there are none). */
export function percentiles(values: number[]): Percentiles {
  const at = (p: number) => (values.length === 0 ? null : percentile(values, p));
  return { count: values.length, p50: at(50), p95: at(95), p99: at(99), max: at(100) };
}

/** Counts the brand's orders Temporal's visibility shows in the given statuses. */
export async function countInStatus(client: Client, brand: string, statuses: string[]): Promise<number> {
  const list = statuses.map((s) => `"${s}"`).join(', ');
  const { count } = await client.workflow.count(`WorkflowType = "orderWorkflow" AND Brand = "${brand}" AND OrderStatus IN (${list})`);
  return count;
}

/** How waiting for the orders to settle ended. */
export interface SettleResult {
  settled: boolean;
  /** Orders settled when the wait ended. */
  count: number;
  /** Epoch ms the wait ended. */
  endedAt: number;
  /** Set when the wait stopped early because p99 payment → reserved was already certain to exceed the limit. */
  stoppedEarly?: string;
}

/**
 * Waits until `expected` orders of the brand have settled (visibility), polling every 2 s. With `p99LimitMs`, stops
 * early once more than 1 % of the orders were paid longer than the limit ago and still are not settled: p99 is then
 * certain to exceed the limit (used by step mode, so an overloaded step does not wait out its whole backlog).
 */
export async function waitUntilSettled(
  client: Client,
  brand: string,
  posted: Posted[],
  options: { timeoutMs: number; p99LimitMs?: number; progress?: (count: number) => void },
): Promise<SettleResult> {
  const expected = posted.length;
  const deadline = Date.now() + options.timeoutMs;
  let lastProgress = Date.now();
  for (;;) {
    let count = 0;
    try {
      count = await countInStatus(client, brand, SETTLED_STATUSES);
    } catch {
      count = 0;
    }
    const now = Date.now();
    if (count >= expected) return { settled: true, count, endedAt: now };
    if (options.p99LimitMs !== undefined) {
      const overdue = posted.filter((p) => now - p.sentAt > options.p99LimitMs!).length;
      if (overdue - count > Math.floor(expected / 100))
        return {
          settled: false,
          count,
          endedAt: now,
          stoppedEarly: `${overdue - count} orders paid over ${options.p99LimitMs / 1000} s ago still unsettled`,
        };
    }
    if (now > deadline) return { settled: false, count, endedAt: now };
    if (options.progress && now - lastProgress > 30_000) {
      options.progress(count);
      lastProgress = now;
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

/** An audit entry as the API answers it. */
interface AuditEntry {
  seq: number;
  at: string;
  action: string;
  after?: unknown;
}

/** The order's audit trail through the operations API (GET /v1/orders/{id}/audit). */
export async function readAudit(baseUrl: string, orderId: string): Promise<AuditEntry[] | undefined> {
  try {
    const response = await fetch(`${baseUrl}/v1/orders/${orderId}/audit`, {
      headers: { 'x-api-key': OPS_KEY },
      signal: AbortSignal.timeout(60_000),
    });
    if (!response.ok) return undefined;
    return ((await response.json()) as { entries: AuditEntry[] }).entries;
  } catch {
    return undefined;
  }
}

/** Where one order got to, from its audit trail. */
export interface Outcome {
  orderId: string;
  /** STOCK_RESERVED entry time minus paidAt, ms; undefined when never reserved. */
  paymentToReservedMs?: number;
  /** Epoch ms of the STOCK_RESERVED entry. */
  reservedAt?: number;
  held: boolean;
  holdReasons: string[];
  /** STOCK_RESERVED entries: more than one would mean the order was reserved twice (or re-routed). */
  reservedEntries: number;
  auditRead: boolean;
}

/** Reads every order's audit trail (16 at a time); an order not yet reserved or held is read again for up to `retryMs`. */
export async function readOutcomes(baseUrl: string, posted: Posted[], retryMs = 30_000): Promise<Outcome[]> {
  const outcomeOf = (p: Posted, entries: AuditEntry[] | undefined): Outcome => {
    const reserved = (entries ?? []).filter((e) => e.action === 'STOCK_RESERVED');
    const held = (entries ?? []).filter((e) => e.action === 'ORDER_HELD');
    const reservedAt = reserved[0] ? Date.parse(reserved[0].at) : undefined;
    return {
      orderId: p.orderId,
      paymentToReservedMs: reservedAt !== undefined ? reservedAt - Date.parse(p.paidAt) : undefined,
      reservedAt,
      held: held.length > 0 && reserved.length === 0,
      holdReasons: held.flatMap((h) => ((h.after as { holds?: Array<{ reason: string }> })?.holds ?? []).map((x) => x.reason)),
      reservedEntries: reserved.length,
      auditRead: entries !== undefined,
    };
  };
  const outcomes = await inPool(posted.length, 16, async (i) => outcomeOf(posted[i]!, await readAudit(baseUrl, posted[i]!.orderId)));
  const deadline = Date.now() + retryMs;
  for (;;) {
    const open = outcomes.map((o, i) => (o.reservedAt === undefined && !o.held ? i : -1)).filter((i) => i >= 0);
    if (open.length === 0 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await inPool(open.length, 16, async (k) => {
      const i = open[k]!;
      outcomes[i] = outcomeOf(posted[i]!, await readAudit(baseUrl, posted[i]!.orderId));
    });
  }
  return outcomes;
}

/** One workflow per order id: posted orders without a workflow, and ids with more than one run. */
export interface Census {
  workflows: number;
  lost: number;
  duplicated: number;
  unexpected: number;
}

/** Lists the brand's order workflows (visibility, retried for up to 20 s while it catches up) against the accepted ids. */
export async function census(client: Client, brand: string, orderIds: string[]): Promise<Census> {
  const wanted = new Set(orderIds.map(orderWorkflowId));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const runs = new Map<string, number>();
    for await (const wf of client.workflow.list({ query: `WorkflowType = "orderWorkflow" AND Brand = "${brand}"` }))
      runs.set(wf.workflowId, (runs.get(wf.workflowId) ?? 0) + 1);
    const lost = [...wanted].filter((id) => !runs.has(id)).length;
    const result = {
      workflows: [...runs.values()].reduce((a, b) => a + b, 0),
      lost,
      duplicated: [...runs.values()].filter((n) => n > 1).length,
      unexpected: [...runs.keys()].filter((id) => !wanted.has(id)).length,
    };
    if (lost === 0 || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

/** Billable actions and bytes of a sample of the orders' real histories (evenly spread over the run). */
export async function sampleHistories(
  client: Client,
  orderIds: string[],
  size: number,
): Promise<{ summary?: CostSummary; costs: HistoryCost[] }> {
  const step = Math.max(1, orderIds.length / Math.max(1, size));
  const picked = [...new Set(Array.from({ length: Math.min(size, orderIds.length) }, (_, i) => orderIds[Math.floor(i * step)]!))];
  const costs = await inPool(picked.length, 4, async (i) =>
    historyCost(await client.workflow.getHandle(orderWorkflowId(picked[i]!)).fetchHistory()),
  );
  return { summary: summariseCosts(costs), costs };
}

/** Stock consistency of the SKU@warehouse pairs a run touched. */
export interface StockCheck {
  pairs: number;
  entries: number;
  reserves: number;
  /** Units reserved beyond what was on hand: the sum over pairs of how far available ever went below zero. */
  oversoldUnits: number;
  /** Entries with reserved < 0 or reserved > onHand. */
  badEntries: number;
  /** Entries whose balances do not follow from the entry before (a lost update). */
  brokenLinks: number;
  /** Pairs whose seq has a gap or whose reserved balance is not the sum of the reserve, release and commit entries. */
  inconsistentPairs: number;
  /** Orders with more reserve entries than lines they hold at that pair. */
  doubleReservedOrders: number;
  /** Reserve entries per second on each pair, first to last reserve entry. */
  reservesPerSecond: Record<string, number>;
  reserveSpanSeconds: Record<string, number>;
  firstReserveAt: Record<string, number>;
  lastReserveAt: Record<string, number>;
}

/** Reads the ledger of every pair (oldest first) and checks it. */
export async function checkStock(stores: Stores, pairs: Array<[sku: string, warehouseId: string]>): Promise<StockCheck> {
  const check: StockCheck = {
    pairs: pairs.length,
    entries: 0,
    reserves: 0,
    oversoldUnits: 0,
    badEntries: 0,
    brokenLinks: 0,
    inconsistentPairs: 0,
    doubleReservedOrders: 0,
    reservesPerSecond: {},
    reserveSpanSeconds: {},
    firstReserveAt: {},
    lastReserveAt: {},
  };
  for (const [sku, warehouseId] of pairs) {
    const entries = await stores.ledger.entries(sku, { warehouseId, oldestFirst: true });
    if (entries.length === 0) continue;
    const figures = ledgerFigures(entries);
    const pair = `${sku}@${warehouseId}`;
    check.entries += figures.entries;
    check.reserves += figures.reserves;
    check.oversoldUnits += Math.max(0, -figures.minAvailable);
    check.badEntries += figures.negativeEntries;
    check.brokenLinks += figures.brokenLinks;
    if (!figures.gaplessSeq || figures.reservedBalance !== figures.reservedBySum) check.inconsistentPairs += 1;
    const perOrder = new Map<string, number>();
    for (const e of entries.filter((x) => x.kind === 'reserve' && x.orderId)) perOrder.set(e.orderId!, (perOrder.get(e.orderId!) ?? 0) + 1);
    // Bench orders hold one line per SKU, so one reserve entry per order and pair.
    check.doubleReservedOrders += [...perOrder.values()].filter((n) => n > 1).length;
    if (figures.reserves > 0) {
      const times = entries.filter((e) => e.kind === 'reserve').map((e) => Date.parse(e.at));
      check.firstReserveAt[pair] = Math.min(...times);
      check.lastReserveAt[pair] = Math.max(...times);
      check.reserveSpanSeconds[pair] = figures.reserveSpanSeconds;
      check.reservesPerSecond[pair] = figures.reserveSpanSeconds > 0 ? figures.reserves / figures.reserveSpanSeconds : Number.NaN;
    }
  }
  return check;
}
