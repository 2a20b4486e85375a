/** Payment activities: refund what was captured, e.g. when an order is cancelled. */
import type { DeliveryOutcome } from '../domain/delivery';
import { paymentRefundKey } from '../domain/ids';
import type { Channel } from '../domain/order';
import type { ActivityDeps } from './deps';
import { createDeliverer } from './delivery';
import type { PartnerLine, RefundRequest } from './partners/types';

/** Builds the payment activities. */
export function createPaymentActivities(deps: ActivityDeps) {
  const deliver = createDeliverer(deps);
  const { partners } = deps;
  return {
    /**
     * Asks whoever holds the buyer's money to refund (the marketplace's after-sales API, or the own site's payment
     * provider: RF-4), once per cause: a later refund of the same order for another cause is its own. The optional fields reach providers that need them (Alipay's out_trade_no, refunded lines).
     */
    async refundPayment(input: {
      orderId: string;
      channel: Channel;
      amount: number;
      reason: string;
      cause: string;
      channelOrderId?: string;
      paymentReference?: string;
      lines?: PartnerLine[];
    }): Promise<DeliveryOutcome> {
      const { orderId, channel, amount, reason, cause } = input;
      const provider = partners.refunds(channel);
      const key = paymentRefundKey(orderId, cause);
      const refund: RefundRequest = {
        orderId,
        channel,
        // Order ids are `${channel}-${channelOrderId}` (orderIdOf): callers that predate the field still name the order.
        channelOrderId: input.channelOrderId ?? orderId.slice(channel.length + 1),
        ...(input.paymentReference !== undefined ? { paymentReference: input.paymentReference } : {}),
        // Amounts are integer minor units (fen), as everywhere inside the hub.
        amountMinor: amount,
        reason,
        cause,
        lines: input.lines ?? [],
      };
      return deliver(
        { key, orderId, partner: { kind: 'payment', id: channel }, kind: 'refund' },
        provider && (() => provider.requestRefund(refund, key)),
      );
    },
  };
}
