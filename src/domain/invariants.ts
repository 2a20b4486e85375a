/**
 * The hub's invariants as pure rules over plain data (issue 13): what must hold of orders, their workflows, the stock
 * ledger, the deliveries log, escalation notices and refunds however the hub was crashed, retried or raced. Each rule
 * looks at one unit (an order, a SKU in a warehouse, a delivery) so the checker can stream a big database through them;
 * `npm run check` (scripts/check.ts) reads the data and prints what these rules report.
 */
import type { DeliveryRecord } from './delivery';
import { escalationNoticeKey, orderWorkflowId, refundKeyOf } from './ids';
import type { OrderView } from './orderView';
import type { ReturnView } from './returns';
import type { OrderStatus } from './status';

/** Each invariant and the rule it checks, in the words the checker's table prints. */
export const invariantRules = {
  orders: 'every order is final, or waits with its workflow running',
  'one-workflow': 'no order has two workflows; every order workflow that took an order has its record',
  ledger: 'per SKU and warehouse: entries chain, heads match, live and shipped units agree with orders, never negative',
  deliveries: 'every message had exactly one effect at its partner',
  escalations: 'every fired escalation told each recipient exactly once',
  refunds: 'every refund paid once, and never more than the order paid',
} as const;

/** The name of an invariant. */
export type InvariantName = keyof typeof invariantRules;

/** What the checker found: a broken invariant, or a warning that does not fail the check (stale, or a person's call). */
export interface Violation {
  invariant: InvariantName;
  /** What it is about: an order id, a workflow id, `SKU@warehouse`, a delivery key. */
  subject: string;
  detail: string;
  severity: 'violation' | 'warning';
}

/** What every rule may need besides its unit: which workflows run, the time, and the partners' own effect counts. */
export interface CheckContext {
  /** Workflow ids with a running execution (Temporal visibility). */
  running: ReadonlySet<string>;
  /** Epoch ms the check runs at. */
  now: number;
  /** How long something just started may lack its record (a workflow mirrors at its first wait). */
  settleMs: number;
  /** How long a delivery may stay pending before it is worth a warning (partners retry for hours). */
  stalePendingMs: number;
  /** Effects per idempotency key as the partners counted them; absent on a user's system (the log is checked instead). */
  effects?: ReadonlyMap<string, number>;
  /**
   * Partners (`kind:id`) that counted an effect of any key: a key absent from `effects` had none only at a partner that
   * counts at all (a WeCom robot, say, carries no key to count by).
   */
  countingPartners?: ReadonlySet<string>;
}

const FINAL: ReadonlySet<OrderStatus> = new Set(['COMPLETED', 'CANCELLED']);

const violation = (invariant: InvariantName, subject: string, detail: string): Violation => ({
  invariant,
  subject,
  detail,
  severity: 'violation',
});
const warning = (invariant: InvariantName, subject: string, detail: string): Violation => ({
  invariant,
  subject,
  detail,
  severity: 'warning',
});

/** orders: a final order, or one whose workflow still runs to move it; a final order holds no stock. */
export function checkOrderState(view: OrderView, context: CheckContext): Violation[] {
  const found: Violation[] = [];
  const live = view.reservations.filter((r) => r.state === 'reserved');
  if (FINAL.has(view.status)) {
    if (live.length > 0)
      found.push(
        violation('orders', view.orderId, `${view.status} but still holds ${live.map((r) => `${r.quantity} × ${r.key}`).join(', ')}`),
      );
    return found;
  }
  if (!context.running.has(view.workflowId))
    found.push(
      violation('orders', view.orderId, `${view.status}, but its workflow ${view.workflowId} is not running: nothing will move it`),
    );
  return found;
}

/** One execution of an order workflow as Temporal visibility lists it. */
export interface OrderWorkflowRun {
  workflowId: string;
  runId: string;
  running: boolean;
  /** True once the workflow holds an order (its Brand search attribute is set); a payment notice alone starts one without. */
  tookOrder: boolean;
  startedAt: string;
}

/** one-workflow: an order's record names the order's one workflow id. */
export function checkOrderWorkflowId(view: OrderView): Violation[] {
  const expected = orderWorkflowId(view.orderId);
  return view.workflowId === expected
    ? []
    : [violation('one-workflow', view.orderId, `its record names workflow ${view.workflowId}, not the order's one workflow ${expected}`)];
}

/**
 * one-workflow: at most one running execution per workflow id, and every workflow that took an order has the order's
 * record (`mirrored`: the workflow ids the read model names), but for one started within the settle time.
 */
export function checkWorkflowRuns(runs: OrderWorkflowRun[], mirrored: ReadonlySet<string>, context: CheckContext): Violation[] {
  const found: Violation[] = [];
  const runningRuns = new Map<string, string[]>();
  for (const run of runs.filter((r) => r.running)) runningRuns.set(run.workflowId, [...(runningRuns.get(run.workflowId) ?? []), run.runId]);
  for (const [workflowId, runIds] of runningRuns)
    if (runIds.length > 1)
      found.push(violation('one-workflow', workflowId, `${runIds.length} executions run at once: ${runIds.join(', ')}`));
  const reported = new Set<string>();
  for (const run of runs) {
    if (!run.tookOrder || mirrored.has(run.workflowId) || reported.has(run.workflowId)) continue;
    if (run.running && context.now - Date.parse(run.startedAt) < context.settleMs) continue;
    reported.add(run.workflowId);
    found.push(
      violation(
        'one-workflow',
        run.workflowId,
        `took an order (${run.running ? 'running' : 'closed'}) but the read model has no record of it`,
      ),
    );
  }
  return found;
}

/** The head of a SKU's ledger in a warehouse as its stock item last wrote it (it may trail the entries, never lead). */
export interface StockHead {
  seq: number;
  onHand: number;
  reserved: number;
}

/** One ledger entry with the balances after it. */
export interface LedgerChainEntry {
  seq: number;
  kind: 'receipt' | 'adjust' | 'reserve' | 'release' | 'commit';
  quantity: number;
  onHand: number;
  reserved: number;
  reservationKey?: string;
  orderId?: string;
}

/** A reservation an order's view holds live. */
export interface LiveReservation {
  orderId: string;
  key: string;
  quantity: number;
}

/** What the orders' views say about one SKU in one warehouse: the reservations they hold live and the units they shipped. */
export interface HeldStock {
  live: LiveReservation[];
  committedUnits: number;
}

/** The label of one SKU in one warehouse, as subjects and maps name it. */
export function stockPairOf(sku: string, warehouseId: string): string {
  return `${sku}@${warehouseId}`;
}

/** Adds what one order's view holds and shipped to the per-SKU-and-warehouse tally the ledger is compared with. */
export function tallyHeldStock(held: Map<string, HeldStock>, view: OrderView): void {
  for (const r of view.reservations) {
    if (r.state === 'released') continue;
    const pair = stockPairOf(r.sku, r.warehouseId);
    const entry = held.get(pair) ?? { live: [], committedUnits: 0 };
    if (r.state === 'reserved') entry.live.push({ orderId: view.orderId, key: r.key, quantity: r.quantity });
    else entry.committedUnits += r.quantity;
    held.set(pair, entry);
  }
}

/** How an entry of each kind moves on-hand and reserved units. */
function changeOf(entry: LedgerChainEntry): { onHand: number; reserved: number } {
  switch (entry.kind) {
    case 'receipt':
    case 'adjust':
      return { onHand: entry.quantity, reserved: 0 };
    case 'reserve':
      return { onHand: 0, reserved: entry.quantity };
    case 'release':
      return { onHand: 0, reserved: -entry.quantity };
    case 'commit':
      return { onHand: -entry.quantity, reserved: -entry.quantity };
  }
}

/** What one reservation key went through in a ledger. */
interface KeyHistory {
  reserves: LedgerChainEntry[];
  settles: LedgerChainEntry[];
}

/** The problems of one reservation key's history: reserved once, settled at most once, by the quantity it reserved. */
function keyProblems(key: string, history: KeyHistory): string[] {
  const [reserve] = history.reserves;
  const problems: string[] = [];
  if (history.reserves.length > 1) problems.push(`${key} was reserved ${history.reserves.length} times`);
  if (history.settles.length > 1)
    problems.push(`${key} was settled ${history.settles.length} times (${history.settles.map((s) => s.kind).join(', ')})`);
  for (const settle of history.settles) {
    if (!reserve && settle.kind === 'commit') problems.push(`${key} was committed (#${settle.seq}) without being reserved`);
    else if (!reserve && settle.quantity !== 0) problems.push(`${key} released ${settle.quantity} (#${settle.seq}) it never reserved`);
    else if (reserve && settle.quantity !== reserve.quantity)
      problems.push(`${key} reserved ${reserve.quantity} but its ${settle.kind} (#${settle.seq}) moved ${settle.quantity}`);
    else if (reserve && settle.seq < reserve.seq)
      problems.push(`${key} was reserved (#${reserve.seq}) after it was settled (#${settle.seq})`);
  }
  return problems;
}

/**
 * ledger, for one SKU in one warehouse: entries numbered 1…n without gap, each balance the one before plus its change,
 * never negative; the head equal to the entry it names; reserved equal to the live reservation keys; and those keys and
 * the committed units equal to what the orders' views hold and shipped here. `entries` are oldest first.
 */
export function checkStockLedger(
  pair: { sku: string; warehouseId: string; head?: StockHead },
  entries: LedgerChainEntry[],
  held: HeldStock | undefined,
): Violation[] {
  const subject = stockPairOf(pair.sku, pair.warehouseId);
  const problems: string[] = [];
  const keys = new Map<string, KeyHistory>();
  const bySeq = new Map<number, LedgerChainEntry>();
  let previous = { seq: 0, onHand: 0, reserved: 0 };
  let committedUnits = 0;
  for (const entry of entries) {
    if (bySeq.has(entry.seq)) problems.push(`entry #${entry.seq} is written twice`);
    else if (entry.seq > previous.seq + 1)
      problems.push(
        entry.seq === previous.seq + 2
          ? `entry #${previous.seq + 1} is missing`
          : `entries #${previous.seq + 1}…#${entry.seq - 1} are missing`,
      );
    else {
      // Across a gap nobody knows what the missing entries did: the chain is checked from the next entry on.
      const change = changeOf(entry);
      const [onHand, reserved] = [previous.onHand + change.onHand, previous.reserved + change.reserved];
      if (entry.onHand !== onHand || entry.reserved !== reserved)
        problems.push(
          `entry #${entry.seq} (${entry.kind} ${entry.quantity}) says onHand ${entry.onHand}, reserved ${entry.reserved}; the entries before it make ${onHand}, ${reserved}`,
        );
    }
    if (entry.onHand < 0 || entry.reserved < 0)
      problems.push(`entry #${entry.seq} is negative: onHand ${entry.onHand}, reserved ${entry.reserved}`);
    bySeq.set(entry.seq, entry);
    if (entry.kind === 'commit') committedUnits += entry.quantity;
    if (entry.reservationKey && entry.kind !== 'receipt' && entry.kind !== 'adjust') {
      const history = keys.get(entry.reservationKey) ?? { reserves: [], settles: [] };
      (entry.kind === 'reserve' ? history.reserves : history.settles).push(entry);
      keys.set(entry.reservationKey, history);
    }
    previous = entry;
  }
  const last = previous;
  const head = pair.head;
  if (head && head.seq > 0) {
    const at = bySeq.get(head.seq);
    if (head.seq > last.seq) problems.push(`the head is at #${head.seq}, past the last entry #${last.seq}`);
    else if (!at) problems.push(`the head is at #${head.seq}, an entry that is missing`);
    else if (at.onHand !== head.onHand || at.reserved !== head.reserved)
      problems.push(`the head says onHand ${head.onHand}, reserved ${head.reserved}; entry #${head.seq} says ${at.onHand}, ${at.reserved}`);
  }
  if (head && (head.onHand < 0 || head.reserved < 0))
    problems.push(`the head is negative: onHand ${head.onHand}, reserved ${head.reserved}`);
  const live = new Map<string, LedgerChainEntry>();
  for (const [key, history] of keys) {
    problems.push(...keyProblems(key, history));
    if (history.reserves[0] && history.settles.length === 0) live.set(key, history.reserves[0]);
  }
  const liveUnits = [...live.values()].reduce((sum, e) => sum + e.quantity, 0);
  if (last.reserved !== liveUnits) problems.push(`reserved is ${last.reserved}, but the live reservation keys add up to ${liveUnits}`);
  problems.push(...heldStockProblems(live, committedUnits, held ?? { live: [], committedUnits: 0 }));
  return problems.map((detail) => violation('ledger', subject, detail));
}

/** The ledger's live keys and committed units against what the orders' views hold and shipped. */
function heldStockProblems(live: Map<string, LedgerChainEntry>, committedUnits: number, held: HeldStock): string[] {
  const problems: string[] = [];
  const heldKeys = new Set(held.live.map((r) => r.key));
  for (const r of held.live) {
    const entry = live.get(r.key);
    if (!entry) problems.push(`order ${r.orderId} holds ${r.quantity} under ${r.key}; the ledger holds nothing live under it`);
    else if (entry.quantity !== r.quantity)
      problems.push(`order ${r.orderId} holds ${r.quantity} under ${r.key}; the ledger reserved ${entry.quantity}`);
  }
  for (const [key, entry] of live)
    if (!heldKeys.has(key))
      problems.push(`${entry.quantity} reserved under ${key}${entry.orderId ? ` for order ${entry.orderId}` : ''} are held by no order`);
  if (committedUnits !== held.committedUnits)
    problems.push(`the ledger committed ${committedUnits} units; the orders shipped ${held.committedUnits} from here`);
  return problems;
}

/** ledger: what the orders' views hold or shipped at a SKU and warehouse that has no ledger at all. */
export function checkHeldStockWithoutLedger(held: ReadonlyMap<string, HeldStock>, ledgerPairs: ReadonlySet<string>): Violation[] {
  return [...held]
    .filter(([pair]) => !ledgerPairs.has(pair))
    .flatMap(([pair, stock]) => [
      ...stock.live.map((r) => violation('ledger', pair, `order ${r.orderId} holds ${r.quantity} under ${r.key}; there is no ledger here`)),
      ...(stock.committedUnits > 0
        ? [violation('ledger', pair, `the orders shipped ${stock.committedUnits} units; there is no ledger here`)]
        : []),
    ]);
}

/** True for a refund at a money holder (cancellation or return): checked in money's words by the refunds rules. */
export function isRefund(row: DeliveryRecord): boolean {
  return row.kind === 'refund';
}

/** True for an escalation's notice to one person or group. */
export function isEscalationNotice(row: DeliveryRecord): boolean {
  return row.partner.kind === 'notification' && row.kind.startsWith('escalation ');
}

/** A delivery's partner as `kind:id`, the way effect counts and reports name it. */
export function partnerOf(row: Pick<DeliveryRecord, 'partner'>): string {
  return `${row.partner.kind}:${row.partner.id}`;
}

/**
 * Effects a partner counted for a key against what the log says: delivered means exactly one, anything else at most
 * one. A key the partner did not count at all is judged only when `counting` says that partner counts.
 */
function effectProblem(
  row: DeliveryRecord,
  effects: ReadonlyMap<string, number>,
  acted: string,
  counting?: ReadonlySet<string>,
): string | undefined {
  const count = effects.get(row.key);
  if (count !== undefined && count > 1) return `${partnerOf(row)} ${acted} ${count} times`;
  const none = count === 0 || (count === undefined && counting?.has(partnerOf(row)));
  if (row.state === 'delivered' && none) return `delivered, but ${partnerOf(row)} counted no effect`;
  return undefined;
}

/**
 * deliveries, for one row of the log (one row per key, so a key is never delivered twice): with the partners' counts,
 * a delivered message had exactly one effect and none more than one (refunds are left to the refunds rules; a key the
 * partners did not count waits for checkUncountedDeliveries, once it is known which partners count). A message
 * pending past the stale time is a violation when its order's workflow is closed (nothing will retry it), else a warning.
 */
export function checkDelivery(row: DeliveryRecord, context: CheckContext): Violation[] {
  const found: Violation[] = [];
  if (context.effects && !isRefund(row)) {
    const problem = effectProblem(row, context.effects, 'acted on it');
    if (problem) found.push(violation('deliveries', row.key, problem));
  }
  if (row.state === 'delivered' && !row.deliveredAt) found.push(violation('deliveries', row.key, 'delivered without a delivery time'));
  if (row.state !== 'pending') return found;
  const since = Date.parse(row.lastAttemptAt ?? row.createdAt);
  if (context.now - since < context.stalePendingMs) return found;
  const minutes = Math.round((context.now - since) / 60_000);
  const what = `pending for ${minutes} min after ${row.attempts} attempt(s) to ${row.partner.kind}:${row.partner.id}`;
  if (row.orderId && !context.running.has(orderWorkflowId(row.orderId)))
    found.push(violation('deliveries', row.key, `${what}, and order ${row.orderId}'s workflow has closed: nothing will retry it`));
  else found.push(warning('deliveries', row.key, `${what}; ${row.lastResponse?.reason ?? 'still retrying'}`));
  return found;
}

/** deliveries: delivered messages no count names, at partners that count other keys: they had no effect there. */
export function checkUncountedDeliveries(
  rows: Iterable<Pick<DeliveryRecord, 'key' | 'partner'>>,
  counting: ReadonlySet<string>,
): Violation[] {
  return [...rows]
    .filter((row) => counting.has(partnerOf(row)))
    .map((row) => violation('deliveries', row.key, `delivered, but ${partnerOf(row)} counted no effect`));
}

/** deliveries: keys a partner acted on that the log does not know; more than one effect is a violation, one a warning. */
export function checkUnloggedEffects(effects: ReadonlyMap<string, number>, logged: ReadonlySet<string>): Violation[] {
  return [...effects]
    .filter(([key, count]) => count > 0 && !logged.has(key))
    .map(([key, count]) =>
      count > 1
        ? violation('deliveries', key, `a partner acted on it ${count} times; the deliveries log has no such message`)
        : warning('deliveries', key, 'a partner acted on it; the deliveries log has no such message'),
    );
}

/** The notice keys an order's fired escalations asked for, one per recipient. */
export function noticeKeysOf(view: OrderView): string[] {
  return (view.escalations ?? []).flatMap((e) => e.notified.map((_, index) => escalationNoticeKey(view.orderId, e.id, index)));
}

/**
 * escalations, for one order: each recipient of each fired level has its notice in the log, to that recipient, and
 * delivered. A notice refused for good is a person's problem and reported as such; one still missing while the
 * workflow runs and the level fired within the settle time is on its way.
 */
export function checkEscalationNotices(view: OrderView, notices: ReadonlyMap<string, DeliveryRecord>, context: CheckContext): Violation[] {
  const found: Violation[] = [];
  const running = context.running.has(view.workflowId);
  for (const entry of view.escalations ?? []) {
    entry.notified.forEach((recipient, index) => {
      const key = escalationNoticeKey(view.orderId, entry.id, index);
      const subject = `${view.orderId} ${entry.id}`;
      const row = notices.get(key);
      if (!row) {
        if (running && context.now - Date.parse(entry.firedAt) < context.settleMs) return;
        found.push(violation('escalations', subject, `${recipient} was never told: no notice ${key} in the deliveries log`));
      } else if (row.partner.id !== recipient)
        found.push(violation('escalations', subject, `notice ${key} went to ${row.partner.id}, not ${recipient}`));
      else if (row.state === 'failed-permanently')
        found.push(
          violation(
            'escalations',
            subject,
            `${recipient} refused notice ${key} for good (${row.lastResponse?.reason ?? 'no reason'}): a person must tell them`,
          ),
        );
      else if (row.state === 'pending' && !running)
        found.push(
          violation('escalations', subject, `notice ${key} to ${recipient} was never acknowledged, and the order's workflow has closed`),
        );
    });
  }
  return found;
}

/** escalations: notices sent that no fired escalation asked for (a second notice for one event, or for none). */
export function checkStrayNotices(notices: Iterable<DeliveryRecord>): Violation[] {
  return [...notices].map((row) =>
    violation(
      'escalations',
      row.key,
      `a notice (${row.state}) to ${row.partner.id} that no fired escalation of ${row.orderId ?? 'any order'} asked for`,
    ),
  );
}

/** A return's refund as the returns store holds it. */
export type ReturnRefund = Pick<ReturnView, 'orderId' | 'returnId' | 'refund'>;

/**
 * refunds, for one order: with the partners' counts each refund was paid exactly once when delivered and never twice;
 * a return whose refund was issued has it delivered under its one key; what was refunded never exceeds what the order
 * paid (a cancellation refunds it all, a return its own amount). A paid order cancelled with its workflow closed and no
 * refund in the log is a warning: operations may have refunded by hand.
 */
export function checkRefunds(view: OrderView, refunds: DeliveryRecord[], returns: ReturnRefund[], context: CheckContext): Violation[] {
  const found: Violation[] = [];
  const report = (subject: string, detail: string) => found.push(violation('refunds', subject, detail));
  if (context.effects)
    for (const row of refunds) {
      const problem = effectProblem(row, context.effects, 'paid it', context.countingPartners);
      if (problem) report(row.key, problem);
    }
  const byKey = new Map(refunds.map((row) => [row.key, row]));
  const returnAmounts = new Map<string, number>();
  for (const ret of returns) {
    if (!ret.refund) continue;
    const key = refundKeyOf(ret.orderId, ret.returnId);
    returnAmounts.set(key, ret.refund.amountMinor);
    if (ret.refund.key !== key) report(view.orderId, `return ${ret.returnId} refunds under ${ret.refund.key}, not its one key ${key}`);
    if ((ret.refund.state === 'issued' || ret.refund.state === 'settled') && byKey.get(ret.refund.key)?.state !== 'delivered')
      report(view.orderId, `return ${ret.returnId}'s refund is ${ret.refund.state}, but ${ret.refund.key} is not delivered in the log`);
  }
  const paid = view.order.amounts.paid;
  const delivered = refunds.filter((row) => row.state === 'delivered');
  const refunded = delivered.reduce((sum, row) => sum + (returnAmounts.get(row.key) ?? paid), 0);
  if (refunded > paid)
    report(view.orderId, `refunded ${refunded} of the ${paid} paid (minor units), under ${delivered.map((row) => row.key).join(', ')}`);
  const ownRefunds = refunds.filter((row) => !returnAmounts.has(row.key));
  const closed = !context.running.has(view.workflowId);
  if (view.status === 'CANCELLED' && view.order.paymentStatus === 'paid' && closed && ownRefunds.length === 0)
    found.push(
      warning('refunds', view.orderId, `cancelled after payment of ${paid}, and no refund is in the deliveries log (refunded by hand?)`),
    );
  return found;
}

/** refunds: refunds paid for orders the read model does not know. */
export function checkRefundsWithoutOrder(refunds: Iterable<DeliveryRecord>): Violation[] {
  return [...refunds].map((row) =>
    violation('refunds', row.key, `a refund (${row.state}) for ${row.orderId ?? 'no order'}, which the hub has no record of`),
  );
}
