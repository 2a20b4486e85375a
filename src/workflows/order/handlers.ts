/** The order workflow's messages: each handler with the validator that refuses what it must not accept. */
import { log, setHandler } from '@temporalio/workflow';
import type { ShipmentProgress } from '../../domain/shipmentReports';
import type { Actor } from '../../domain/primitives';
import type { OrderView, ShipmentReceipt, ShipmentState } from '../../domain/orderView';
import { refuse, validate } from './failures';
import { returnProgressed } from '../returns/messages';
import { orderMessageSchemas, returnSchemas, shipmentReportSchemas, supplierSchemas } from './schemas';
import {
  changeAddress,
  cancelOrder,
  getOrder,
  getUnwrittenAudit,
  orderEvent,
  receiveOrderEvent,
  reportShipmentProgress,
  reportSupplierAction,
  requestReroute,
  answerEscalation,
  escalationPolicyChanged,
  requestReturn,
  resolveDelivery,
  reviewHold,
} from './messages';
import { answerEscalation as answerEscalationLevel } from './escalation';
import type { OrderRun } from './run';
import { acceptProgress, nowIso } from './state';

/** True when the caller may report for this shipment: its own warehouse, its own supplier, the carrier holding the parcel. */
function mayReport(shipment: ShipmentState, reporter: Actor | undefined): boolean {
  if (!reporter || reporter.kind === 'operations') return true;
  if (reporter.kind === 'warehouse' || reporter.kind === 'supplier')
    return shipment.kind === reporter.kind && shipment.locationId === reporter.id;
  if (reporter.kind === 'carrier') return shipment.carrier === reporter.id;
  return false;
}

/** Who reported a step: the authenticated caller, or (for reports recorded before callers were named) the likely one. */
function reporterOf(shipment: ShipmentState, progress: ShipmentProgress): Actor {
  if (progress.reporter) return progress.reporter;
  const kind = shipment.kind === 'supplier' ? 'supplier' : progress.step === 'delivered' ? 'carrier' : 'warehouse';
  return { kind, id: shipment.locationId };
}

/** The reported parcel as the order now holds it: all a reporter is told (a small answer, and no other party's parcel). */
function receiptOf(view: OrderView, shipmentId: string): ShipmentReceipt {
  const { step, trackingNumber, carrier, shippedAt, deliveredAt, writtenBack } = view.shipments.find((s) => s.shipmentId === shipmentId)!;
  return { orderId: view.orderId, shipmentId, step, trackingNumber, carrier, shippedAt, deliveredAt, writtenBack };
}

/** True when a report with this id was applied already (it is answered, not applied again); else remembers the id. */
function repeated(run: OrderRun, reportId: string | undefined): boolean {
  if (!reportId) return false;
  if (run.reports.has(reportId)) return true;
  run.reports.add(reportId);
  return false;
}

/** Registers every query, update and signal of one order run. */
export function registerHandlers(run: OrderRun): void {
  const refuseIfClosed = () => {
    if (run.isClosed() || run.cancelRequest) refuse('ALREADY_CLOSED', 'the order is closed');
  };

  setHandler(getOrder, () => run.current());
  setHandler(getUnwrittenAudit, () => run.unwrittenAudit());

  // A signal cannot be refused: an event that is not valid is logged and dropped; repeats collapse on the event id.
  setHandler(orderEvent, (event) => {
    const parsed = orderMessageSchemas().orderEventSchema.safeParse(event);
    if (parsed.success) return run.applyEvent(parsed.data);
    const issues = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`);
    log.warn('invalid order event dropped', { orderId: run.orderId, issues });
  });

  setHandler(
    receiveOrderEvent,
    (event) => {
      run.applyEvent(event);
      return { orderId: run.orderId, view: run.view };
    },
    { validator: (event) => validate(orderMessageSchemas().orderEventSchema, event) },
  );

  setHandler(
    reviewHold,
    async (decision) => {
      run.review = decision;
      await run.settled(() => run.current().status !== 'ON_HOLD');
      return run.current();
    },
    {
      validator: (decision) => {
        validate(orderMessageSchemas().holdReviewSchema, decision);
        if (run.view?.status !== 'ON_HOLD' || run.review) refuse('NOT_ON_HOLD', 'the order is not waiting for review');
        // A rejection cancels the order; once a parcel has left, only its remaining lines could be, and only by hand.
        if (decision.decision === 'reject' && run.isShipped())
          refuse('ALREADY_SHIPPED', 'part of the order has shipped: approve to route the held lines again, or settle them by hand');
      },
    },
  );

  setHandler(
    cancelOrder,
    async (request) => {
      run.cancelRequest = request;
      await run.settled(() => run.current().status === 'CANCELLED');
      return run.current();
    },
    {
      validator: (request) => {
        validate(orderMessageSchemas().cancelRequestSchema, request);
        const view = run.current();
        if (run.isShipped()) refuse('ALREADY_SHIPPED', 'the order has shipped and can no longer be cancelled');
        if (run.isClosed() || run.cancelRequest)
          refuse('ALREADY_CLOSED', `the order is already ${view.status === 'COMPLETED' ? 'completed' : 'cancelled'}`);
      },
    },
  );

  setHandler(
    changeAddress,
    async (change) => {
      const before = run.current().order.shippingAddress;
      run.addressChanges += 1;
      await run.fulfilment.changeAddress(change.address, `change-${run.addressChanges}`);
      const actor: Actor = { kind: change.requestedBy, id: change.actor };
      await run.record({ actor, action: 'ADDRESS_CHANGED', before, after: change.address });
      // The lean design writes a change a caller asked for before answering; progress reports wait for the next milestone.
      if (run.lean) await run.flush();
      return run.current();
    },
    {
      validator: (change) => {
        validate(orderMessageSchemas().addressChangeSchema, change);
        if (run.view?.order.paymentStatus !== 'paid') refuse('NOT_PAID', 'an address change is accepted only after payment');
        if (run.isShipped()) refuse('ALREADY_SHIPPED', 'the parcel has shipped; the address can no longer change');
        refuseIfClosed();
      },
    },
  );

  setHandler(
    reportShipmentProgress,
    async (progress) => {
      if (repeated(run, progress.reportId)) return receiptOf(run.current(), progress.shipmentId);
      const shipment = run.current().shipments.find((s) => s.shipmentId === progress.shipmentId)!;
      const before = shipment.step;
      acceptProgress(shipment, progress);
      // The escalation watcher re-times on the report at once, in line with it.
      run.watcher?.retime();
      await run.record({
        actor: reporterOf(shipment, progress),
        action: `SHIPMENT_${progress.step.toUpperCase()}`,
        before: { step: before },
        after: { step: shipment.step, trackingNumber: shipment.trackingNumber },
        detail: progress.note,
      });
      return receiptOf(run.current(), progress.shipmentId);
    },
    {
      validator: (progress) => {
        validate(shipmentReportSchemas().shipmentProgressSchema, progress);
        if (progress.reportId && run.reports.has(progress.reportId)) return;
        const shipment = run.view?.shipments.find((s) => s.shipmentId === progress.shipmentId);
        // Another party's shipment answers exactly like a missing one, so ids do not leak.
        if (!shipment || !mayReport(shipment, progress.reporter))
          refuse('UNKNOWN_SHIPMENT', `no shipment ${progress.shipmentId} on this order`);
        refuseIfClosed();
        if (run.fulfilment.moving)
          refuse('SHIPMENT_MOVING', `shipment ${progress.shipmentId} is being re-routed; report again once it has moved`);
        acceptProgress({ ...shipment }, progress);
      },
    },
  );

  setHandler(
    requestReturn,
    async (request) => {
      if (run.returns) return run.returns.accept(request);
      // Orders of earlier designs note the request (lines, no quantities) and nothing follows, as they always did; their
      // recorded requests named `lineIds`.
      const { lineIds } = request as { lineIds?: string[] };
      const entry = {
        returnId: request.returnId,
        lineIds: lineIds ?? request.lines.map((l) => l.lineId),
        reason: request.reason,
        at: nowIso(),
      };
      run.current().returns.push(entry);
      await run.record({ actor: { kind: 'buyer', id: run.current().order.buyer.id }, action: 'RETURN_REQUESTED', after: entry });
      if (run.lean) await run.flush();
      return run.current();
    },
    {
      validator: (request) => {
        validate(returnSchemas().returnRequestSchema, request);
        const view = run.view;
        if (!view) refuse('ORDER_NOT_RECEIVED', 'the order has not been received yet');
        // The fifth design checks each line against its own parcel's delivery and window (RF-1) once it has the policy.
        if (run.returns && view.status !== 'COMPLETED' && view.status !== 'CANCELLED') return;
        if (view.status !== 'DELIVERED')
          refuse('RETURN_WINDOW_CLOSED', 'returns are accepted only between delivery and the end of the return window');
        const unknown = request.lines.filter((line: { lineId: string }) => !view.order.lines.some((l) => l.lineId === line.lineId));
        if (unknown.length > 0) refuse('UNKNOWN_LINE', `no such lines: ${unknown.map((l: { lineId: string }) => l.lineId).join(', ')}`);
        if (view.returns.some((r) => r.returnId === request.returnId)) refuse('DUPLICATE_RETURN', 'this return was already requested');
      },
    },
  );

  setHandler(returnProgressed, (progress) => run.returns?.progressed(progress));

  setHandler(
    reportSupplierAction,
    async (action) => {
      if (repeated(run, action.reportId)) return run.current();
      const view = run.current();
      const actor: Actor = { kind: 'supplier', id: action.supplierId };
      const mine = view.shipments.filter((s) => s.kind === 'supplier' && s.locationId === action.supplierId);
      if (action.action === 'accept') {
        const accepted = mine.filter((s) => s.step === 'dispatched');
        for (const shipment of accepted) Object.assign(shipment, { step: 'accepted', since: nowIso(), lastChangeAt: nowIso() });
        // Accepting again changes nothing and records nothing.
        if (accepted.length > 0)
          await run.record({ actor, action: 'SUPPLIER_ACCEPTED', after: { shipments: accepted.map((s) => s.shipmentId) } });
      } else if (action.action === 'reject') {
        const rejected = mine.filter((s) => !s.shippedAt && s.step !== 'rejected');
        for (const shipment of rejected) {
          shipment.step = 'rejected';
          shipment.rejection = { reason: action.reason, at: action.at, settled: false };
        }
        await run.record({
          actor,
          action: 'SUPPLIER_REJECTED',
          after: { shipments: rejected.map((s) => s.shipmentId) },
          detail: action.reason,
        });
      } else {
        const { carrier, trackingNumber, at } = action;
        const shipped = run.fulfilment.shipSupplierLines(action.supplierId, action.lineIds, { carrier, trackingNumber, at });
        await run.record({
          actor,
          action: 'SHIPMENT_SHIPPED',
          after: { shipments: shipped, lineIds: action.lineIds, carrier, trackingNumber },
        });
      }
      run.watcher?.retime();
      // What the supplier did is written before it is answered, like an address change.
      if (run.lean) await run.flush();
      return run.current();
    },
    {
      validator: (action) => {
        validate(supplierSchemas().supplierActionSchema, action);
        if (action.reportId && run.reports.has(action.reportId)) return;
        const mine = run.view?.shipments.filter((s) => s.kind === 'supplier' && s.locationId === action.supplierId) ?? [];
        // Another supplier's order answers exactly like a missing one, so ids do not leak.
        if (mine.length === 0) refuse('UNKNOWN_SHIPMENT', 'no shipment of yours on this order');
        refuseIfClosed();
        if (run.fulfilment.moving) refuse('SHIPMENT_MOVING', 'the order is being re-routed; try again in a moment');
        const open = mine.filter((s) => !s.shippedAt && s.step !== 'rejected');
        if (action.action === 'reject' && open.length === 0) refuse('ALREADY_SHIPPED', 'nothing of yours is left to reject on this order');
        if (action.action !== 'ship') return;
        const unknown = action.lineIds.filter((id: string) => !mine.some((s) => s.lineIds.includes(id)));
        if (unknown.length > 0) refuse('UNKNOWN_LINE', `no such lines of yours: ${unknown.join(', ')}`);
        const gone = action.lineIds.filter((id: string) => !open.some((s) => s.lineIds.includes(id)));
        if (gone.length > 0) refuse('ALREADY_SHIPPED', `already shipped or rejected: ${gone.join(', ')}`);
        if (open.some((s) => s.step === 'planned' && s.lineIds.some((id) => action.lineIds.includes(id))))
          refuse('INVALID_TRANSITION', 'these lines have not been sent to you yet');
      },
    },
  );

  setHandler(escalationPolicyChanged, () => run.watcher?.policyChanged());

  setHandler(
    answerEscalation,
    async (answer) => {
      await answerEscalationLevel(run, answer);
      run.watcher?.retime();
      run.publishNow();
      if (run.lean) await run.flush();
      return run.current();
    },
    {
      validator: (answer) => {
        validate(orderMessageSchemas().escalationAnswerSchema, answer);
        const entry = run.view?.escalations?.find((e) => e.id === answer.id);
        if (!entry) refuse('UNKNOWN_ESCALATION', `no escalation ${answer.id} on this order`);
        if (entry.resolved) refuse('ALREADY_RESOLVED', `escalation ${answer.id} was resolved by ${entry.resolved.by}`);
      },
    },
  );

  setHandler(
    resolveDelivery,
    async (decision) => {
      run.deliveryDecisions.set(decision.key, decision);
      // Answered once the waiting delivery took the decision and its audit entry is written.
      await run.settled(() => !run.deliveryDecisions.has(decision.key));
      return run.current();
    },
    {
      validator: (decision) => {
        validate(orderMessageSchemas().deliveryDecisionSchema, decision);
        const waiting = run.view?.attention?.some((a) => a.kind === 'DELIVERY_REFUSED' && a.key === decision.key);
        if (!waiting || run.deliveryDecisions.has(decision.key))
          refuse('UNKNOWN_DELIVERY', `no refused delivery ${decision.key} waits for a decision on this order`);
      },
    },
  );

  setHandler(requestReroute, async ({ reason, requestedBy }) => {
    const view = run.view;
    if (!view || view.reservations.every((r) => r.state !== 'reserved') || run.isShipped() || run.isClosed() || run.cancelRequest) return;
    const outcome = await run.fulfilment.reroute(reason);
    if (outcome !== 'moved')
      await run.record({ actor: { kind: 'operations', id: requestedBy }, action: 'REROUTE_SKIPPED', detail: `${reason}: ${outcome}` });
  });
}
