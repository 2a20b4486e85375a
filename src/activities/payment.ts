/** Payment activities: refund what was captured when an order is cancelled. */
import type { Channel } from '../domain/order';
import type { ActivityDeps } from './deps';
import { createOutbox } from './outbox';

/** Builds the payment activities. */
export function createPaymentActivities(deps: ActivityDeps) {
  const send = createOutbox(deps);
  return {
    /** Refunds the captured amount through the order's channel, once per order. */
    async refundPayment(input: { orderId: string; channel: Channel; amount: number; reason: string }): Promise<void> {
      await send({ key: `payment:refund:${input.orderId}`, target: 'payment', kind: 'refund', orderId: input.orderId, recipient: input.channel, payload: { amount: input.amount, reason: input.reason } });
    },
  };
}
