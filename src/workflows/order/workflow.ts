/** The order lifecycle: one durable workflow per order, from intake to the end of its return window. */
import { ApplicationFailure, condition, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import {
  addressChangeSchema, cancelRequestSchema, holdReviewSchema, orderEventSchema, returnRequestSchema, shipmentProgressSchema,
  type Actor, type OrderEvent,
} from '../../domain/orderEvents';
import type { AuditEntry, OrderView } from '../../domain/orderView';
import type { OrderPolicy } from '../../domain/policy';
import { shippedStatuses } from '../../domain/status';
import { Fulfilment } from './fulfilment';
import { changeAddress, cancelOrder, getOrder, receiveOrderEvent, reportShipmentProgress, requestReroute, requestReturn, reviewHold } from './messages';
import { initialView, nowIso, publish, systemActor, transition } from './state';
import { acceptProgress, OrderCancelled, validate } from './rules';

const { loadOrderPolicy, assessOrderRisk, recordOrderChange, notifySupervisor } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const ORDER_ARRIVAL_TIMEOUT = '7 days';

/** Input of the order workflow. */
export interface OrderWorkflowInput {
  orderId: string;
}

/** Runs one order from intake to completion or cancellation, and returns its final state. */
export async function orderWorkflow(input: OrderWorkflowInput): Promise<OrderView | undefined> {
  let view: OrderView | undefined;
  let auditSeq = 0;
  let cancelRequest: { by: string; actor: string; reason: string } | undefined;
  let review: { decision: 'approve' | 'reject'; reviewer: string; note?: string } | undefined;
  const seenEvents = new Set<string>();

  let recordsInFlight = 0;
  /** Appends to the audit trail and mirrors the view into the read model, in one idempotent activity. */
  const record = async (entry: AuditEntry) => {
    if (!view) return;
    view.version += 1;
    auditSeq += 1;
    publish(view);
    recordsInFlight += 1;
    try {
      await recordOrderChange({ view, audit: { ...entry, seq: auditSeq, at: nowIso() } });
    } finally {
      recordsInFlight -= 1;
    }
  };
  /** Waits until a state is reached and written down, so an update's answer matches the audit trail. */
  const settled = (predicate: () => boolean) => condition(() => predicate() && recordsInFlight === 0);
  const current = (): OrderView => {
    if (!view) throw ApplicationFailure.create({ type: 'ORDER_NOT_RECEIVED', message: 'the order has not been received yet', nonRetryable: true });
    return view;
  };
  const isShipped = () => !!view && (shippedStatuses.includes(view.status) || view.shipments.some((s) => s.shippedAt));
  const isClosed = () => !!view && (view.status === 'CANCELLED' || view.status === 'COMPLETED');
  /** Waits for a predicate; a cancellation request interrupts any wait. */
  const waitFor = async (predicate: () => boolean, timeoutSeconds?: number): Promise<boolean> => {
    const done = () => predicate() || cancelRequest !== undefined;
    const ok = timeoutSeconds === undefined ? (await condition(done), true) : await condition(done, timeoutSeconds * 1000);
    if (cancelRequest) throw new OrderCancelled();
    return ok;
  };

  let paidNotice: { paidAt?: string } | undefined;
  const applyEvent = (event: OrderEvent): void => {
    if (seenEvents.has(event.eventId)) return;
    seenEvents.add(event.eventId);
    if (event.type === 'paid') paidNotice ??= { paidAt: event.paidAt };
    else if (!view) view = initialView(input.orderId, event.order);
    else if (event.order.paymentStatus === 'paid') paidNotice ??= { paidAt: event.order.paidAt };
    // Payment only moves forward: a late "created" snapshot never undoes it (IN-4: out-of-order events converge).
    if (view && paidNotice && view.order.paymentStatus !== 'paid') {
      view.order = { ...view.order, paymentStatus: 'paid', paidAt: paidNotice.paidAt };
    }
  };

  setHandler(getOrder, () => current());
  setHandler(receiveOrderEvent, (event) => {
    applyEvent(event);
    return { orderId: input.orderId, view };
  }, { validator: (event) => validate(orderEventSchema, event) });

  setHandler(reviewHold, async (decision) => {
    review = decision;
    await settled(() => current().status !== 'ON_HOLD');
    return current();
  }, {
    validator: (decision) => {
      validate(holdReviewSchema, decision);
      if (view?.status !== 'ON_HOLD' || review) throw ApplicationFailure.create({ type: 'NOT_ON_HOLD', message: 'the order is not waiting for review' });
    },
  });

  setHandler(cancelOrder, async (request) => {
    cancelRequest = request;
    await settled(() => current().status === 'CANCELLED');
    return current();
  }, {
    validator: (request) => {
      validate(cancelRequestSchema, request);
      if (!view) throw ApplicationFailure.create({ type: 'ORDER_NOT_RECEIVED', message: 'the order has not been received yet' });
      if (isShipped()) throw ApplicationFailure.create({ type: 'ALREADY_SHIPPED', message: 'the order has shipped and can no longer be cancelled' });
      if (isClosed() || cancelRequest) throw ApplicationFailure.create({ type: 'ALREADY_CLOSED', message: `the order is already ${view.status === 'COMPLETED' ? 'completed' : 'cancelled'}` });
    },
  });

  setHandler(changeAddress, async (change) => {
    const before = current().order.shippingAddress;
    await fulfilment.changeAddress(change.address);
    await record({ actor: { kind: change.requestedBy === 'operations' ? 'operations' : change.requestedBy, id: change.actor }, action: 'ADDRESS_CHANGED', before, after: change.address });
    return current();
  }, {
    validator: (change) => {
      validate(addressChangeSchema, change);
      if (!view || view.order.paymentStatus !== 'paid') throw ApplicationFailure.create({ type: 'NOT_PAID', message: 'an address change is accepted only after payment' });
      if (isShipped()) throw ApplicationFailure.create({ type: 'ALREADY_SHIPPED', message: 'the parcel has shipped; the address can no longer change' });
      if (isClosed() || cancelRequest) throw ApplicationFailure.create({ type: 'ALREADY_CLOSED', message: 'the order is closed' });
    },
  });

  setHandler(reportShipmentProgress, async (progress) => {
    const shipment = current().shipments.find((s) => s.shipmentId === progress.shipmentId)!;
    const before = shipment.step;
    acceptProgress(shipment, progress);
    const kind = shipment.kind === 'supplier' ? 'supplier' : progress.step === 'delivered' ? 'carrier' : 'warehouse';
    await record({ actor: { kind, id: shipment.locationId }, action: `SHIPMENT_${progress.step.toUpperCase()}`, before: { step: before }, after: { step: shipment.step, trackingNumber: shipment.trackingNumber }, detail: progress.note });
    return current();
  }, {
    validator: (progress) => {
      validate(shipmentProgressSchema, progress);
      const shipment = view?.shipments.find((s) => s.shipmentId === progress.shipmentId);
      if (!shipment) throw ApplicationFailure.create({ type: 'UNKNOWN_SHIPMENT', message: `no shipment ${progress.shipmentId} on this order` });
      if (isClosed() || cancelRequest) throw ApplicationFailure.create({ type: 'ALREADY_CLOSED', message: 'the order is closed' });
      acceptProgress({ ...shipment }, progress);
    },
  });

  setHandler(requestReturn, async (request) => {
    const entry = { ...request, at: nowIso() };
    current().returns.push(entry);
    await record({ actor: { kind: 'buyer', id: current().order.buyer.id }, action: 'RETURN_REQUESTED', after: entry });
    return current();
  }, {
    validator: (request) => {
      validate(returnRequestSchema, request);
      if (view?.status !== 'DELIVERED') throw ApplicationFailure.create({ type: 'RETURN_WINDOW_CLOSED', message: 'returns are accepted only between delivery and the end of the return window' });
      const lines = view.order.lines;
      const unknown = request.lineIds.filter((id: string) => !lines.some((l) => l.lineId === id));
      if (unknown.length > 0) throw ApplicationFailure.create({ type: 'UNKNOWN_LINE', message: `no such lines: ${unknown.join(', ')}` });
      if (view.returns.some((r) => r.returnId === request.returnId)) throw ApplicationFailure.create({ type: 'DUPLICATE_RETURN', message: 'this return was already requested' });
    },
  });

  const fulfilment = new Fulfilment(() => current(), record);

  setHandler(requestReroute, async ({ reason, requestedBy }) => {
    if (!view || view.reservations.every((r) => r.state !== 'reserved') || isShipped() || isClosed() || cancelRequest) return;
    const outcome = await fulfilment.reroute(reason);
    if (outcome !== 'moved') await record({ actor: { kind: 'operations', id: requestedBy }, action: 'REROUTE_SKIPPED', detail: `${reason}: ${outcome}` });
  });

  // A payment notice can start the workflow before the order itself; without the order there is nothing to run.
  if (!(await condition(() => view !== undefined, ORDER_ARRIVAL_TIMEOUT))) return undefined;
  const order = current();
  const { policy, appliedOverrides } = await loadOrderPolicy({ brand: order.order.brand, channel: order.order.channel });
  order.policy = { ...summarisePolicy(policy), appliedOverrides };
  const holds = await assessOrderRisk({ orderId: order.orderId, order: order.order, policy });
  await record({ actor: { kind: 'channel', id: order.order.channel }, action: 'ORDER_RECEIVED', after: { status: order.status, policy: order.policy } });

  try {
    if (policy.lockStrategy !== 'onPayment' && holds.length === 0) await fulfilment.allocate(); // INV-2: lock on order
    let paid = await waitFor(() => order.order.paymentStatus === 'paid', policy.paymentTimeoutSeconds);
    if (!paid && policy.lockStrategy === 'preOccupy') {
      await fulfilment.releaseAll('pre-occupied stock released: unpaid after the timeout');
      paid = await waitFor(() => order.order.paymentStatus === 'paid', policy.paymentTimeoutSeconds);
    }
    if (!paid) {
      cancelRequest = { by: 'system', actor: systemActor.id, reason: `unpaid after ${policy.paymentTimeoutSeconds} s` };
      throw new OrderCancelled();
    }
    transition(order, 'PAID', 'allocation', 'payment received');
    await record({ actor: { kind: 'channel', id: order.order.channel }, action: 'PAYMENT_RECEIVED', after: { paidAt: order.order.paidAt } });

    if (holds.length > 0) await holdForReview(holds, 'risk review');
    while (!(await fulfilment.allocate())) {
      if (policy.outOfStockAction === 'cancel') {
        cancelRequest = { by: 'system', actor: systemActor.id, reason: 'out of stock' };
        throw new OrderCancelled();
      }
      await holdForReview([{ reason: 'OUT_OF_STOCK', ruleId: 'inventory', detail: fulfilment.lastShortage }], 'stock');
    }
    transition(order, 'RESERVED', 'fulfilment', order.routing?.summary ?? 'stock reserved');
    await record({ actor: systemActor, action: 'STOCK_RESERVED', after: { reservations: order.reservations, routing: order.routing?.summary } });

    await fulfilment.dispatch();
    transition(order, 'FULFILLING', 'fulfilment', 'sent to warehouse / supplier');
    await record({ actor: systemActor, action: 'FULFILMENT_STARTED', after: { shipments: order.shipments } });

    while (!fulfilment.allShipped() || fulfilment.pendingWriteBacks().length > 0) {
      await waitFor(() => fulfilment.allShipped() || fulfilment.pendingWriteBacks().length > 0);
      await fulfilment.completeShipped();
    }
  } catch (error) {
    if (!(error instanceof OrderCancelled) || !cancelRequest) throw error;
    await fulfilment.compensate();
    order.cancellation = { ...cancelRequest, at: nowIso() };
    transition(order, 'CANCELLED', 'nothing', cancelRequest.reason);
    const actor: Actor = cancelRequest.by === 'system' ? systemActor : { kind: cancelRequest.by as Actor['kind'], id: cancelRequest.actor };
    await record({ actor, action: 'ORDER_CANCELLED', after: order.cancellation });
    return order;
  }

  transition(order, 'SHIPPED', 'delivery', 'every shipment has left');
  await record({ actor: systemActor, action: 'ORDER_SHIPPED', after: { shipments: order.shipments } });
  await condition(() => order.shipments.every((s) => s.deliveredAt));
  transition(order, 'DELIVERED', 'return window', 'delivered');
  await record({ actor: { kind: 'carrier', id: order.shipments[0]?.carrier ?? 'carrier' }, action: 'ORDER_DELIVERED' });
  // The workflow sleeps through the return window: a timer, no polling.
  await condition(() => false, policy.returnWindowSeconds * 1000);
  transition(order, 'COMPLETED', 'nothing', 'return window closed');
  await record({ actor: systemActor, action: 'ORDER_COMPLETED', after: { returns: order.returns.length } });
  return order;

  async function holdForReview(reasons: OrderView['holds'], what: string): Promise<void> {
    const held = current();
    held.holds = reasons;
    transition(held, 'ON_HOLD', 'review', `on hold for ${what}: ${reasons.map((h) => h.reason).join(', ')}`);
    await record({ actor: systemActor, action: 'ORDER_HELD', after: { holds: reasons } });
    // Added after orders were already running: histories from before the patch replay without it.
    if (patched('notify-supervisor-on-hold')) await notifySupervisor({ orderId: held.orderId, holds: reasons, since: held.waiting.since });
    await waitFor(() => review !== undefined);
    const decision = review!;
    const before = { status: held.status, holds: held.holds };
    held.holds = [];
    await record({ actor: { kind: 'operations', id: decision.reviewer }, action: decision.decision === 'approve' ? 'HOLD_APPROVED' : 'HOLD_REJECTED', before, detail: decision.note });
    review = undefined;
    if (decision.decision === 'reject') {
      cancelRequest = { by: 'operations', actor: decision.reviewer, reason: `rejected in review${decision.note ? `: ${decision.note}` : ''}` };
      throw new OrderCancelled();
    }
    transition(held, 'PAID', 'allocation', 'review approved');
  }
}

function summarisePolicy(policy: OrderPolicy) {
  return {
    lockStrategy: policy.lockStrategy,
    paymentTimeoutSeconds: policy.paymentTimeoutSeconds,
    returnWindowSeconds: policy.returnWindowSeconds,
    outOfStockAction: policy.outOfStockAction,
  };
}
