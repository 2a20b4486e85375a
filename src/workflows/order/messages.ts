/** The order workflow's messages, defined once for the workflow and its clients. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AddressChange, CancelRequest, DeliveryDecision, EscalationAnswer, HoldReview, OrderEvent } from '../../domain/orderEvents';
import type { ReturnRequest } from '../../domain/returns';
import type { ShipmentProgress } from '../../domain/shipmentReports';
import type { SupplierAction } from '../../domain/supplier';
import type { AuditEntry, OrderView, ShipmentReceipt } from '../../domain/orderView';

/** A channel's order snapshot or payment notice for an order whose workflow runs already (a new order's first event is its input). */
export const orderEvent = defineSignal<[OrderEvent]>('orderEvent');

/** The intake of orders started by update-with-start, before intake needed no worker; kept so those orders and their histories still run. */
export const receiveOrderEvent = defineUpdate<IntakeResult, [OrderEvent]>('receiveOrderEvent');

/** What intake answers: the order's state, or no view yet when a payment notice came before the order. */
export interface IntakeResult {
  orderId: string;
  view?: OrderView;
}
/** A reviewer approves or rejects a held order. */
export const reviewHold = defineUpdate<OrderView, [HoldReview]>('reviewHold');
/** The channel, the buyer or operations cancel the order before shipment. */
export const cancelOrder = defineUpdate<OrderView, [CancelRequest]>('cancelOrder');
/** The shipping address changes after payment (FS-4). */
export const changeAddress = defineUpdate<OrderView, [AddressChange]>('changeAddress');
/** A warehouse, supplier or carrier reports a shipment's progress; the answer is that parcel only. */
export const reportShipmentProgress = defineUpdate<ShipmentReceipt, [ShipmentProgress]>('reportShipmentProgress');
/** The buyer, the channel or operations ask to return lines inside the return window (RF-1). */
export const requestReturn = defineUpdate<OrderView, [ReturnRequest]>('requestReturn');
/** A warehouse went down or was paused: move the order elsewhere if no parcel is being picked (RT-4). */
export const requestReroute = defineSignal<[{ reason: string; requestedBy: string }]>('requestReroute');
/**
 * A drop-ship supplier accepts, rejects or ships (some of) its lines (DS-1, DS-2); the answer is the whole order,
 * which the supplier API narrows to the supplier's own part.
 */
export const reportSupplierAction = defineUpdate<OrderView, [SupplierAction]>('reportSupplierAction');
/** Operations retry a delivery a partner refused for good, or mark it done by hand. */
export const resolveDelivery = defineUpdate<OrderView, [DeliveryDecision]>('resolveDelivery');
/** Operations acknowledge or resolve a fired escalation level. */
export const answerEscalation = defineUpdate<OrderView, [EscalationAnswer]>('answerEscalation');
/** The escalation policy changed: the order computes its waits again under the new version. */
export const escalationPolicyChanged = defineSignal<[{ version: number }]>('escalationPolicyChanged');
/** The order's full state. */
export const getOrder = defineQuery<OrderView>('getOrder');
/** Audit entries the workflow has noted but not yet written (the lean design writes them at the next milestone). */
export const getUnwrittenAudit = defineQuery<AuditEntry[]>('getUnwrittenAudit');
