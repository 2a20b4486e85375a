/** Payment activities: refund what was captured, e.g. when an order is cancelled. */
import type { DeliveryOutcome } from '../domain/delivery';
import type { Channel } from '../domain/order';
import type { ActivityDeps } from './deps';
import { createDeliverer } from './delivery';

/** Builds the payment activities. */
export function createPaymentActivities(deps: ActivityDeps) {
  const deliver = createDeliverer(deps);
  const { partners } = deps;
  return {
    /** Asks the channel's payment provider to refund, once per cause: a later refund of the same order for another cause is its own. */
    async refundPayment(input: {
      orderId: string;
      channel: Channel;
      amount: number;
      reason: string;
      cause: string;
    }): Promise<DeliveryOutcome> {
      const { orderId, channel, amount, reason, cause } = input;
      const provider = partners.payment(channel);
      const key = `payment:refund:${orderId}:${cause}`;
      return deliver(
        { key, orderId, partner: { kind: 'payment', id: channel }, kind: 'refund' },
        // Amounts are integer minor units (fen), as everywhere inside the hub.
        provider && (() => provider.post('refund.requested', { orderId, channel, amountMinor: amount, reason, cause }, key)),
      );
    },
  };
}
