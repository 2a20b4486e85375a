/** Payment activities: refund what was captured, e.g. when an order is cancelled. */
import type { Channel } from '../domain/order';
import type { ActivityDeps } from './deps';
import { createSender } from './outbox';

/** Builds the payment activities. */
export function createPaymentActivities(deps: ActivityDeps) {
  const send = createSender(deps);
  return {
    /** Refunds an amount through the order's channel, once per cause: a later refund of the same order for another cause is its own. */
    async refundPayment(input: { orderId: string; channel: Channel; amount: number; reason: string; cause: string }): Promise<void> {
      const { orderId, channel, amount, reason, cause } = input;
      await send({
        key: `payment:refund:${orderId}:${cause}`,
        target: 'payment',
        kind: 'refund',
        orderId,
        recipient: channel,
        payload: { amount, reason },
      });
    },
  };
}
