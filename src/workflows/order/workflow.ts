/**
 * The order lifecycle: one durable workflow per order, from intake to the end of its return window. It reads
 * like the business process; each step is a small function below, the messages live in handlers.ts.
 */
import { allHandlersFinished, condition, patched } from '@temporalio/workflow';
import type { OrderEvent } from '../../domain/orderEvents';
import type { Actor } from '../../domain/primitives';
import type { Hold, OrderView } from '../../domain/orderView';
import type { OrderPolicy } from '../../domain/policy';
import type { OrderContinuation } from './continuation';
import { OrderCancelled } from './failures';
import { registerHandlers } from './handlers';
import type { OrderReturns } from './returns';
import { OrderRun } from './run';
import { nowIso, systemActor, transition } from './state';

/** How long a payment notice waits for its order before the workflow gives up. */
const ORDER_ARRIVAL_TIMEOUT = '7 days';

/** The workflow designs orders started with (see OrderWorkflowInput.design); orders before the third have none. */
export type OrderDesign = 3 | 4 | 5 | 6 | 7;

/** Input of the order workflow. */
export interface OrderWorkflowInput {
  orderId: string;
  /**
   * The channel event that started the order. Orders started with it follow the lean design (see OrderRun);
   * orders started before it existed received every event as a message and keep their first design.
   */
  firstEvent?: OrderEvent;
  /**
   * 3: the third design (with a first event): partner messages are delivered on the delivery task queue and a
   * refusal waits for a person; write-backs run beside the lifecycle under an alert timer. 4: the fourth adds the
   * escalation watcher. 5: the fifth makes each return a workflow of its own (RF-1…RF-4). 6: the sixth reads an
   * arriving order in one local activity (policy, holds, escalation policy) and writes each milestone once. 7: the
   * seventh routes the order and reserves its stock in one local activity. Absent on older orders.
   */
  design?: OrderDesign;
  /** Set when a run of the fourth design continued as new: where it stopped and what it carried over. */
  continued?: OrderContinuation;
}

/** How long a closing order waits for an update it is still answering (one step away: its answer is the closed order). */
const ANSWER_BEFORE_CLOSING = '10 seconds';

/** Runs one order from intake to completion or cancellation, and returns its final state. */
export async function orderWorkflow(input: OrderWorkflowInput): Promise<OrderView | undefined> {
  const final = await runOrder(input);
  // A review or cancellation that closes the order waits in its handler until the close is written; closing first
  // would fail that caller's update (AcceptedUpdateCompletedWorkflow, a 500). Added after orders were running: a
  // history that closed with an update unanswered replays without the wait.
  if (!allHandlersFinished() && patched('answer-updates-before-closing')) await condition(allHandlersFinished, ANSWER_BEFORE_CLOSING);
  return final;
}

async function runOrder(input: OrderWorkflowInput): Promise<OrderView | undefined> {
  const { continued } = input;
  const run = new OrderRun(input.orderId, input.design, input.firstEvent !== undefined || continued !== undefined);
  registerHandlers(run);
  let received: { policy: OrderPolicy; holds: Hold[] };
  if (continued) received = { policy: await carryOn(run, continued), holds: [] };
  else {
    // The input is written by the hub's own intake, which validated the event with the same schema a moment before.
    if (input.firstEvent) run.applyEvent(input.firstEvent);
    // A payment notice can start the workflow before the order itself; without the order there is nothing to run.
    if (!(await condition(() => run.view !== undefined, ORDER_ARRIVAL_TIMEOUT))) return undefined;
    received = await receiveOrder(run);
  }
  const { policy, holds } = received;
  const stage = continued?.stage;
  // Beside the lifecycle, until the order closes: nobody learns of a stuck order from its customer.
  run.watcher?.retime();
  try {
    if (!stage) {
      await awaitPayment(run, policy, holds);
      await reviewHolds(run, holds);
      await reserveStock(run, policy);
      await startFulfilment(run);
    }
    if (!stage || stage === 'shipping') await shipEveryParcel(run);
  } catch (error) {
    if (!(error instanceof OrderCancelled) || !run.cancelRequest) throw error;
    return cancel(run);
  }
  if (stage !== 'returnWindow') await awaitDelivery(run);
  return closeReturnWindow(run, policy);
}

/** A continued run (fourth design) takes over the order where the last run stopped, and says so in the audit trail. */
async function carryOn(run: OrderRun, continued: OrderContinuation): Promise<OrderPolicy> {
  const policy = run.resume(continued);
  await run.record({
    actor: systemActor,
    action: 'ORDER_CONTINUED',
    after: { stage: continued.stage, previousRunId: continued.previousRunId },
    detail: 'history bound reached: the order continues in a new run',
  });
  return policy;
}

/** Reads the policy in force and assesses risk (MR-3, MR-4): the holds the order must pass before it may ship. */
async function receiveOrder(run: OrderRun): Promise<{ policy: OrderPolicy; holds: Hold[] }> {
  const view = run.current();
  const { policy, appliedOverrides, holds } = await readArrivingOrder(run, view);
  view.policy = {
    lockStrategy: policy.lockStrategy,
    paymentTimeoutSeconds: policy.paymentTimeoutSeconds,
    returnWindowSeconds: policy.returnWindowSeconds,
    outOfStockAction: policy.outOfStockAction,
    appliedOverrides,
    ...(run.delivers ? { writeBackAlertSeconds: policy.writeBackAlertSeconds } : {}),
  };
  run.policy = policy;
  await run.record({
    actor: { kind: 'channel', id: view.order.channel },
    action: 'ORDER_RECEIVED',
    after: { status: view.status, policy: view.policy },
  });
  return { policy, holds };
}

/** The policy and the holds of an arriving order: one step in the sixth design (with the escalation settings), two before. */
async function readArrivingOrder(
  run: OrderRun,
  view: OrderView,
): Promise<{ policy: OrderPolicy; appliedOverrides: string[]; holds: Hold[] }> {
  if (run.compact) {
    const { escalation, ...received } = await run.steps.receiveOrder({ orderId: view.orderId, order: view.order });
    run.watcher?.adopt(escalation);
    return received;
  }
  const { policy, appliedOverrides } = await run.steps.loadOrderPolicy({ brand: view.order.brand, channel: view.order.channel });
  const holds = await run.steps.assessOrderRisk({ orderId: view.orderId, order: view.order, policy });
  return { policy, appliedOverrides, holds };
}

/** Locks stock on order when the policy says so (INV-2), then waits for payment; unpaid orders are cancelled. */
async function awaitPayment(run: OrderRun, policy: OrderPolicy, holds: Hold[]): Promise<void> {
  const view = run.current();
  if (policy.lockStrategy !== 'onPayment' && holds.length === 0) await run.fulfilment.allocate();
  const isPaid = () => view.order.paymentStatus === 'paid';
  let paid = await run.waitFor(isPaid, policy.paymentTimeoutSeconds);
  if (!paid && policy.lockStrategy === 'preOccupy') {
    await run.fulfilment.releaseAll('pre-occupied stock released: unpaid after the timeout');
    paid = await run.waitFor(isPaid, policy.paymentTimeoutSeconds);
  }
  if (!paid) run.cancel({ by: 'system', actor: systemActor.id, reason: `unpaid after ${policy.paymentTimeoutSeconds} s` });
  transition(view, 'PAID', 'allocation', 'payment received');
  await run.record({
    actor: { kind: 'channel', id: view.order.channel },
    action: 'PAYMENT_RECEIVED',
    after: { paidAt: view.order.paidAt },
  });
}

/** Holds the order for a person when risk rules fired or the payment notice's amount is not the order's. */
async function reviewHolds(run: OrderRun, holds: Hold[]): Promise<void> {
  const reported = run.paidAmountMismatch();
  // Added after orders were already running: a history from before never checked the amount (the lean design always does).
  if (reported !== undefined && (run.lean || patched('hold-on-paid-amount-mismatch'))) {
    const expected = run.current().order.amounts.paid;
    holds.push({
      reason: 'PAYMENT_AMOUNT_MISMATCH',
      ruleId: 'payment',
      detail: `the payment notice reports ${reported}, the order says ${expected} (minor units)`,
    });
  }
  if (holds.length > 0) await holdForReview(run, holds, 'risk review');
}

/** Routes the order and pre-locks its stock (INV-1); an order nobody can serve is held or cancelled by policy. */
async function reserveStock(run: OrderRun, policy: OrderPolicy): Promise<void> {
  while (!(await run.fulfilment.allocate())) {
    if (policy.outOfStockAction === 'cancel') run.cancel({ by: 'system', actor: systemActor.id, reason: 'out of stock' });
    await holdForReview(run, [{ reason: 'OUT_OF_STOCK', ruleId: 'inventory', detail: run.fulfilment.lastShortage }], 'stock');
  }
  const view = run.current();
  transition(view, 'RESERVED', 'fulfilment', view.routing?.summary ?? 'stock reserved');
  await run.record({
    actor: systemActor,
    action: 'STOCK_RESERVED',
    after: { reservations: view.reservations, routing: view.routing?.summary },
  });
}

/** Sends pick lists to warehouses (FS-1) and pushes drop-ship lines to suppliers (DS-1). */
async function startFulfilment(run: OrderRun): Promise<void> {
  await run.fulfilment.dispatch();
  const view = run.current();
  transition(view, 'FULFILLING', 'fulfilment', 'sent to warehouse / supplier');
  await run.record({ actor: systemActor, action: 'FULFILMENT_STARTED', after: { shipments: view.shipments } });
}

/**
 * Waits for every parcel to leave; each shipped parcel commits its stock and is written back to the channel (FS-2).
 * Lines a supplier rejected are routed elsewhere, or held for a person when nobody else can take them (DS-2).
 */
async function shipEveryParcel(run: OrderRun): Promise<void> {
  const { fulfilment } = run;
  const pending = () => fulfilment.pendingWriteBacks().length > 0 || fulfilment.pendingRejections().length > 0;
  while (!fulfilment.allShipped() || pending()) {
    await run.waitOrContinue('shipping', () => fulfilment.allShipped() || pending());
    while (fulfilment.pendingRejections().length > 0 && !(await fulfilment.rerouteRejected())) {
      const hold = { reason: 'SUPPLIER_REJECTED' as const, ruleId: 'supplier', detail: fulfilment.lastRejection };
      await holdForReview(run, [hold], 'a supplier rejection', 'FULFILLING');
    }
    await fulfilment.completeShipped();
  }
  const view = run.current();
  transition(view, 'SHIPPED', 'delivery', 'every shipment has left');
  await run.record({ actor: systemActor, action: 'ORDER_SHIPPED', after: { shipments: view.shipments } });
}

/** Waits until the carrier reports every parcel delivered. */
async function awaitDelivery(run: OrderRun): Promise<void> {
  const view = run.current();
  const delivered = () => view.shipments.every((s) => s.deliveredAt);
  if (run.watches) await run.waitOrContinue('delivery', delivered);
  else {
    if (run.lean && !delivered()) await run.pause();
    await condition(delivered);
  }
  transition(view, 'DELIVERED', 'return window', 'delivered');
  await run.record({ actor: { kind: 'carrier', id: view.shipments[0]?.carrier ?? 'carrier' }, action: 'ORDER_DELIVERED' });
}

/** Sleeps through the return window (a timer, no polling), then completes the order. */
async function closeReturnWindow(run: OrderRun, policy: OrderPolicy): Promise<OrderView> {
  const view = run.current();
  // A continued run waits only for what is left of the window, counted from delivery.
  const windowEnd = () =>
    Date.parse([...view.timeline].reverse().find((t) => t.status === 'DELIVERED')!.at) + policy.returnWindowSeconds * 1000;
  if (run.returns) await serveReturns(run, run.returns, windowEnd());
  else if (run.watches) await run.waitOrContinue('returnWindow', () => false, (windowEnd() - Date.now()) / 1000);
  else {
    if (run.lean) await run.pause();
    await condition(() => false, policy.returnWindowSeconds * 1000);
  }
  // The channel must know every parcel before the order is closed (FS-2); no wait in earlier designs, which wrote back inline.
  await run.fulfilment.writeBacksDone();
  transition(view, 'COMPLETED', 'nothing', 'return window closed');
  await run.record({ actor: systemActor, action: 'ORDER_COMPLETED', after: { returns: view.returns.length } });
  if (run.lean) await run.pause();
  return view;
}

/**
 * Fifth design: waits out the return window, and then every return still in flight (RF-1: the order stays open for
 * them), shipping the replacements of exchanges meanwhile.
 */
async function serveReturns(run: OrderRun, returns: OrderReturns, windowEnd: number): Promise<void> {
  // The sixth design does not write down again, before waiting, what the returns' work has just written.
  let written = false;
  for (;;) {
    const open = Date.now() < windowEnd;
    if (!open && !returns.inFlight() && !returns.hasWork()) return;
    const waits = [open ? (windowEnd - Date.now()) / 1000 : undefined, returns.retrySeconds()].filter((w) => w !== undefined);
    const woken = await run.waitOrContinue(
      'returnWindow',
      () => returns.hasWork() || (!open && !returns.inFlight()),
      waits.length > 0 ? Math.min(...waits) : undefined,
      written,
    );
    // A timeout ends the window or the wait of an exchange that found no stock: that one is routed again.
    if (!woken) returns.stalled = false;
    written = false;
    if (returns.hasWork()) {
      await returns.work();
      written = run.compact;
    }
  }
}

/** Undoes what was done, in reverse, and closes the order as cancelled. */
async function cancel(run: OrderRun): Promise<OrderView> {
  const request = run.cancelRequest!;
  const view = run.current();
  await run.fulfilment.compensate();
  view.cancellation = { ...request, at: nowIso() };
  transition(view, 'CANCELLED', 'nothing', request.reason);
  const actor: Actor = request.by === 'system' ? systemActor : { kind: request.by, id: request.actor };
  await run.record({ actor, action: 'ORDER_CANCELLED', after: view.cancellation });
  if (run.lean) await run.pause();
  return view;
}

/**
 * Holds the order for a person, tells the supervisor (MR-3) and applies the decision: approve continues (from
 * `resume`: PAID before stock is reserved, FULFILLING when a supplier's lines wait for another route), reject cancels.
 */
async function holdForReview(run: OrderRun, reasons: Hold[], what: string, resume: 'PAID' | 'FULFILLING' = 'PAID'): Promise<void> {
  const held = run.current();
  held.holds = reasons;
  transition(held, 'ON_HOLD', 'review', `on hold for ${what}: ${reasons.map((h) => h.reason).join(', ')}`);
  await run.record({ actor: systemActor, action: 'ORDER_HELD', after: { holds: reasons } });
  // Added after orders were already running: histories from before the patch replay without it.
  if (run.lean || patched('notify-supervisor-on-hold')) {
    const notified = run.partners.notifySupervisor({ orderId: held.orderId, holds: reasons, since: held.waiting.since });
    // From the third design on the notice is a delivery that may wait on the operations endpoint: the review must not.
    if (!run.delivers) await notified;
  }
  await run.waitFor(() => run.review !== undefined);
  const decision = run.review!;
  const before = { status: held.status, holds: held.holds };
  held.holds = [];
  const approved = decision.decision === 'approve';
  await run.record({
    actor: { kind: 'operations', id: decision.reviewer },
    action: approved ? 'HOLD_APPROVED' : 'HOLD_REJECTED',
    before,
    detail: decision.note,
  });
  run.review = undefined;
  if (!approved)
    run.cancel({ by: 'operations', actor: decision.reviewer, reason: `rejected in review${decision.note ? `: ${decision.note}` : ''}` });
  if (resume === 'PAID') transition(held, 'PAID', 'allocation', 'review approved');
  else transition(held, 'FULFILLING', 'fulfilment', 'review approved: routing the rejected lines again');
}
