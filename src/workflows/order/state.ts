/** The order view's transitions: a new view, a status change, a shipment step. Pure apart from workflow time. */
import { workflowInfo } from '@temporalio/workflow';
import type { CanonicalOrder } from '../../domain/order';
import type { Actor } from '../../domain/primitives';
import type { ShipmentProgress } from '../../domain/shipmentReports';
import type { OrderView, ShipmentState, Waiting } from '../../domain/orderView';
import type { OrderStatus } from '../../domain/status';
import { refuse } from './failures';

/** The workflow itself as the actor of the changes it makes on its own. */
export const systemActor: Actor = { kind: 'system', id: 'order-workflow' };

/** Who must act, by what the order waits for. */
const actorFor: Record<string, string> = {
  payment: 'buyer',
  review: 'operations (risk reviewer)',
  allocation: 'system',
  fulfilment: 'warehouse or supplier',
  delivery: 'carrier',
  'return window': 'nobody (timer)',
  nothing: 'nobody',
};

/** The current instant in workflow time, as ISO text. */
export function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

/** Creates the first view of a received order. */
export function initialView(orderId: string, order: CanonicalOrder): OrderView {
  const at = nowIso();
  return {
    orderId,
    workflowId: workflowInfo().workflowId,
    status: 'AWAITING_PAYMENT',
    order,
    holds: [],
    shipments: [],
    reservations: [],
    waiting: { for: 'payment', since: at, who: actorFor.payment! },
    returns: [],
    timeline: [{ at, status: 'AWAITING_PAYMENT', note: 'order received' }],
    version: 1,
  };
}

/** Moves the view to a status and records what it now waits for. */
export function transition(view: OrderView, status: OrderStatus, waitingFor: string, note: string): void {
  const at = nowIso();
  view.status = status;
  view.waiting = { for: waitingFor, since: at, who: actorFor[waitingFor] ?? 'operations' } satisfies Waiting;
  view.timeline.push({ at, status, note });
}

const stepRank: Record<ShipmentState['step'], number> = {
  planned: 0,
  dispatched: 1,
  accepted: 2,
  picking: 3,
  progress: 4,
  packed: 5,
  shipped: 6,
  delivered: 7,
  rejected: 8,
};

/** Applies a progress report to a shipment, refusing steps that go backwards or skip dispatch. */
export function acceptProgress(shipment: ShipmentState, progress: ShipmentProgress): void {
  const from = stepRank[shipment.step];
  const to = stepRank[progress.step];
  if (shipment.step === 'planned') refuse('INVALID_TRANSITION', `shipment ${shipment.shipmentId} has not been dispatched yet`);
  if (shipment.step === 'rejected') refuse('INVALID_TRANSITION', `shipment ${shipment.shipmentId} was rejected by its supplier`);
  if (to < from || (to === from && progress.step !== 'progress')) {
    refuse('INVALID_TRANSITION', `shipment ${shipment.shipmentId} is already ${shipment.step}; cannot report ${progress.step}`);
  }
  if (progress.step === 'delivered' && !shipment.shippedAt)
    refuse('INVALID_TRANSITION', `shipment ${shipment.shipmentId} has not shipped yet`);
  if (shipment.step !== progress.step) shipment.since = nowIso();
  shipment.lastChangeAt = nowIso();
  shipment.step = progress.step;
  if (progress.step === 'shipped') {
    shipment.trackingNumber = progress.trackingNumber;
    shipment.carrier = progress.carrier;
    shipment.shippedAt = progress.at;
  }
  if (progress.step === 'delivered') shipment.deliveredAt = progress.at;
}
