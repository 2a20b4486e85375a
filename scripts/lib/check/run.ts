/**
 * The invariant checker's reading: lists the order workflows from Temporal visibility, streams the deliveries log,
 * returns, orders and every SKU's ledger through their owners in src/db, and hands each unit to the pure rules of
 * src/domain/invariants.ts. Memory holds what the rules compare across collections (running workflow ids, escalation
 * notices and refunds from the log, live reservations), never a whole collection.
 */
import type { Client } from '@temporalio/client';
import type { Stores } from '../../../src/db/stores';
import type { DeliveryRecord } from '../../../src/domain/delivery';
import {
  checkDelivery,
  checkEscalationNotices,
  checkHeldStockWithoutLedger,
  checkOrderState,
  checkOrderWorkflowId,
  checkRefunds,
  checkRefundsWithoutOrder,
  checkStockLedger,
  checkStrayNotices,
  checkUncountedDeliveries,
  checkUnloggedEffects,
  checkWorkflowRuns,
  invariantRules,
  isEscalationNotice,
  isRefund,
  noticeKeysOf,
  partnerOf,
  stockPairOf,
  tallyHeldStock,
  type CheckContext,
  type HeldStock,
  type InvariantName,
  type LedgerChainEntry,
  type OrderWorkflowRun,
  type ReturnRefund,
  type Violation,
} from '../../../src/domain/invariants';
import { orderWorkflowId } from '../../../src/domain/ids';
import type { OrderView } from '../../../src/domain/orderView';
import { BrandKey } from '../../../src/domain/searchAttributes';
import { getOrder } from '../../../src/workflows/order/messages';

/** How one invariant fared. */
export interface InvariantSummary {
  invariant: InvariantName;
  rule: string;
  /** Units looked at: orders, workflow runs, SKU-and-warehouse pairs, deliveries, notices, orders with refunds. */
  checked: number;
  violations: number;
  warnings: number;
}

/** The checker's answer. */
export interface CheckReport {
  /** True when no invariant is violated (warnings do not count). */
  ok: boolean;
  checkedAt: string;
  summary: InvariantSummary[];
  /** Violations first, then warnings; at most `keep` of each kind per invariant (the counts are exact). */
  findings: Violation[];
}

/** What the checker is told besides the data. */
export interface CheckOptions {
  /** Effects per idempotency key as the partners counted them (the drill's partner servers). */
  effects?: ReadonlyMap<string, number>;
  now?: number;
  /** How long something just started may lack its record; default 60 s. */
  settleMs?: number;
  /** How long a delivery may stay pending before a warning; default 1 h. */
  stalePendingMs?: number;
  /** Findings kept per invariant and severity; default 1000. */
  keep?: number;
  /**
   * Asks a running order's workflow for its view. Escalations are written to the read model at the order's next
   * milestone, not when they fire: notices in the log that no mirrored escalation asked for are checked against it.
   */
  liveView?: (orderId: string) => Promise<OrderView | undefined>;
}

/** The owners the checker reads through. */
export type CheckedStores = Pick<Stores, 'orders' | 'ledger' | 'deliveries' | 'returns'>;

/** Counts and keeps findings per invariant, so a database full of one problem does not fill memory. */
function createTally(keep: number) {
  const counts = new Map<InvariantName, { checked: number; violations: number; warnings: number }>(
    (Object.keys(invariantRules) as InvariantName[]).map((name) => [name, { checked: 0, violations: 0, warnings: 0 }]),
  );
  const kept: Violation[] = [];
  const keptOf = new Map<string, number>();
  return {
    checked(invariant: InvariantName, units = 1) {
      counts.get(invariant)!.checked += units;
    },
    add(found: Violation[]) {
      for (const v of found) {
        const count = counts.get(v.invariant)!;
        if (v.severity === 'violation') count.violations += 1;
        else count.warnings += 1;
        const slot = `${v.invariant}/${v.severity}`;
        const n = keptOf.get(slot) ?? 0;
        if (n < keep) kept.push(v);
        keptOf.set(slot, n + 1);
      }
    },
    report(now: number): CheckReport {
      const summary = [...counts].map(([invariant, c]) => ({ invariant, rule: invariantRules[invariant], ...c }));
      const findings = [...kept.filter((v) => v.severity === 'violation'), ...kept.filter((v) => v.severity === 'warning')];
      return { ok: summary.every((s) => s.violations === 0), checkedAt: new Date(now).toISOString(), summary, findings };
    },
  };
}

/** Every execution of the order workflow on the task queue, from Temporal visibility (closed ones within retention). */
export async function listOrderWorkflowRuns(client: Client, taskQueue: string): Promise<OrderWorkflowRun[]> {
  if (taskQueue.includes("'")) throw new Error(`a task queue name with a quote cannot be queried: ${taskQueue}`);
  const runs: OrderWorkflowRun[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowType = 'orderWorkflow' AND TaskQueue = '${taskQueue}'` })) {
    runs.push({
      workflowId: wf.workflowId,
      runId: wf.runId,
      running: wf.status.name === 'RUNNING',
      tookOrder: wf.typedSearchAttributes.get(BrandKey) !== undefined,
      startedAt: wf.startTime.toISOString(),
    });
  }
  return runs;
}

/** Asks running order workflows for their views (the getOrder query); undefined when one no longer answers. */
export function liveViewsFrom(client: Client): (orderId: string) => Promise<OrderView | undefined> {
  return (orderId) =>
    client.workflow
      .getHandle(orderWorkflowId(orderId))
      .query(getOrder)
      .catch(() => undefined);
}

const pushTo = <K, V>(map: Map<K, V[]>, key: K, value: V) => map.set(key, [...(map.get(key) ?? []), value]);

/**
 * Checks the escalations of running orders that fired since their last milestone, from their workflows' own views:
 * those whose notices are in the log without a mirrored escalation. What they account for leaves `unasked`.
 */
async function checkFreshEscalations(
  unasked: Map<string, DeliveryRecord>,
  notices: ReadonlyMap<string, DeliveryRecord>,
  context: CheckContext,
  tally: ReturnType<typeof createTally>,
  liveView: CheckOptions['liveView'],
): Promise<void> {
  if (!liveView) return;
  const orderIds = new Set([...unasked.values()].map((row) => row.orderId ?? ''));
  for (const orderId of orderIds) {
    if (!orderId || !context.running.has(orderWorkflowId(orderId))) continue;
    const live = await liveView(orderId);
    if (!live) continue;
    const fresh = (live.escalations ?? []).filter((e) => noticeKeysOf({ ...live, escalations: [e] }).some((key) => unasked.has(key)));
    const view = { ...live, escalations: fresh };
    const keys = noticeKeysOf(view);
    tally.checked('escalations', keys.length);
    tally.add(checkEscalationNotices(view, notices, context));
    for (const key of keys) unasked.delete(key);
  }
}

/** Runs every invariant over the database and the listed workflow runs. */
export async function runChecks(stores: CheckedStores, runs: OrderWorkflowRun[], options: CheckOptions = {}): Promise<CheckReport> {
  const now = options.now ?? Date.now();
  // Filled while the log streams: which partners count effects at all.
  const countingPartners = new Set<string>();
  const context: CheckContext = {
    running: new Set(runs.filter((r) => r.running).map((r) => r.workflowId)),
    now,
    settleMs: options.settleMs ?? 60_000,
    stalePendingMs: options.stalePendingMs ?? 3_600_000,
    ...(options.effects ? { effects: options.effects, countingPartners } : {}),
  };
  const tally = createTally(options.keep ?? 1000);

  // The log first: escalation notices and refunds are few, and the orders' rules look them up.
  const notices = new Map<string, DeliveryRecord>();
  const refundsByOrder = new Map<string, DeliveryRecord[]>();
  const logged = new Set<string>();
  const uncounted: Array<Pick<DeliveryRecord, 'key' | 'partner'>> = [];
  for await (const row of stores.deliveries.all()) {
    tally.checked('deliveries');
    tally.add(checkDelivery(row, context));
    const count = options.effects?.get(row.key);
    if (count !== undefined) {
      logged.add(row.key);
      if (count > 0) countingPartners.add(partnerOf(row));
    } else if (options.effects && row.state === 'delivered' && !isRefund(row)) uncounted.push({ key: row.key, partner: row.partner });
    if (isEscalationNotice(row)) notices.set(row.key, row);
    if (isRefund(row)) pushTo(refundsByOrder, row.orderId ?? '', row);
  }
  if (options.effects) {
    tally.add(checkUncountedDeliveries(uncounted, countingPartners));
    tally.add(checkUnloggedEffects(options.effects, logged));
  }

  const returnsByOrder = new Map<string, ReturnRefund[]>();
  for await (const view of stores.returns.all())
    if (view.refund) pushTo(returnsByOrder, view.orderId, { orderId: view.orderId, returnId: view.returnId, refund: view.refund });

  const held = new Map<string, HeldStock>();
  const mirrored = new Set<string>();
  const unasked = new Map(notices);
  for await (const view of stores.orders.allViews()) {
    tally.checked('orders');
    tally.add(checkOrderState(view, context));
    tally.add(checkOrderWorkflowId(view));
    mirrored.add(view.workflowId);
    tallyHeldStock(held, view);
    const noticeKeys = noticeKeysOf(view);
    if (noticeKeys.length > 0) {
      tally.checked('escalations', noticeKeys.length);
      tally.add(checkEscalationNotices(view, notices, context));
      for (const key of noticeKeys) unasked.delete(key);
    }
    const refunds = refundsByOrder.get(view.orderId) ?? [];
    const returns = returnsByOrder.get(view.orderId) ?? [];
    const owed = view.status === 'CANCELLED' && view.order.paymentStatus === 'paid';
    if (refunds.length > 0 || returns.length > 0 || owed) {
      tally.checked('refunds');
      tally.add(checkRefunds(view, refunds, returns, context));
    }
    refundsByOrder.delete(view.orderId);
  }
  await checkFreshEscalations(unasked, notices, context, tally, options.liveView);
  tally.add(checkStrayNotices(unasked.values()));
  tally.add(checkRefundsWithoutOrder([...refundsByOrder.values()].flat()));
  tally.checked('one-workflow', runs.length);
  tally.add(checkWorkflowRuns(runs, mirrored, context));

  const ledgerPairs = new Set<string>();
  for await (const pair of stores.ledger.pairs()) {
    const id = stockPairOf(pair.sku, pair.warehouseId);
    ledgerPairs.add(id);
    const entries: LedgerChainEntry[] = [];
    for await (const entry of stores.ledger.ledgerOf(pair.sku, pair.warehouseId)) entries.push(entry);
    tally.checked('ledger');
    tally.add(checkStockLedger(pair, entries, held.get(id)));
  }
  tally.add(checkHeldStockWithoutLedger(held, ledgerPairs));
  return tally.report(now);
}
