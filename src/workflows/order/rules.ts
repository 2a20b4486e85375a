/** Small rules the order workflow enforces on its messages. */
import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import type { ShipmentProgress } from '../../domain/orderEvents';
import type { ShipmentState } from '../../domain/orderView';

/** Thrown inside the workflow when a cancellation interrupts the lifecycle; compensations follow. */
export class OrderCancelled extends Error {
  override name = 'OrderCancelled';
}

/** Validates a message with its zod schema, rejecting it with the wrong field paths. */
export function validate<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  throw ApplicationFailure.create({ type: 'VALIDATION', message: 'invalid message', details: [issues], nonRetryable: true });
}

const stepRank: Record<ShipmentState['step'], number> = {
  planned: 0, dispatched: 1, accepted: 2, picking: 3, progress: 4, packed: 5, shipped: 6, delivered: 7,
};

/** Applies a progress report to a shipment, refusing steps that go backwards or skip dispatch. */
export function acceptProgress(shipment: ShipmentState, progress: ShipmentProgress): void {
  const from = stepRank[shipment.step];
  const to = stepRank[progress.step];
  if (shipment.step === 'planned') {
    throw ApplicationFailure.create({ type: 'INVALID_TRANSITION', message: `shipment ${shipment.shipmentId} has not been dispatched yet` });
  }
  if (to < from || (to === from && progress.step !== 'progress')) {
    throw ApplicationFailure.create({ type: 'INVALID_TRANSITION', message: `shipment ${shipment.shipmentId} is already ${shipment.step}; cannot report ${progress.step}` });
  }
  if (progress.step === 'delivered' && !shipment.shippedAt) {
    throw ApplicationFailure.create({ type: 'INVALID_TRANSITION', message: `shipment ${shipment.shipmentId} has not shipped yet` });
  }
  shipment.step = progress.step;
  if (progress.step === 'shipped') {
    shipment.trackingNumber = progress.trackingNumber;
    shipment.carrier = progress.carrier;
    shipment.shippedAt = progress.at;
  }
  if (progress.step === 'delivered') shipment.deliveredAt = progress.at;
}
