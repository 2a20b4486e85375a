/**
 * Refunds over the generic signed webhook, for a payment provider or a sales channel reached that way. The contract a
 * receiver implements:
 * - `refund.requested` carries the refund (RefundRequest). Its `webhook-id` is our key, on which the receiver dedupes:
 *   a retry of the same refund never pays twice.
 * - `refund.status` asks where the refund keyed `data.refundKey` stands. The receiver answers 2xx with the JSON body
 *   `{ "state": "settled" | "pending" | "failed", "reference"?: string, "reason"?: string }`; other statuses are read
 *   as for any delivery (5xx retried, 4xx refused). Each question is a message of its own (a fresh `webhook-id`),
 *   since a receiver that dedupes would replay its first answer to a repeated id forever.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { WebhookEndpoint } from '../../../config/partners';
import { classify, jsonOf } from '../http';
import type { RefundAdapter } from '../types';
import { createWebhookSender, type WebhookOptions } from '../webhook';

const statusSchema = z.object({
  state: z.enum(['settled', 'pending', 'failed']),
  reference: z.string().optional(),
  reason: z.string().optional(),
});

/** Builds the refund side of a signed-webhook receiver: `refund.requested` to pay back, `refund.status` to watch it. */
export function createWebhookRefunds(endpoint: WebhookEndpoint, options: WebhookOptions): RefundAdapter {
  const send = createWebhookSender(endpoint, options);
  return {
    async requestRefund(refund, key) {
      const response = await send('refund.requested', refund, key);
      return 'outcome' in response ? response : classify(response);
    },
    async refundStatus(refund, key) {
      const response = await send('refund.status', { ...refund, refundKey: key }, `${key}:status:${randomUUID()}`);
      if ('outcome' in response) return response;
      const answer = classify(response);
      if (answer.outcome !== 'delivered') return answer;
      const parsed = statusSchema.safeParse(jsonOf(response.text));
      if (!parsed.success) {
        const reason = 'the refund.status answer names no state (expected {"state": "settled" | "pending" | "failed"})';
        return { outcome: 'refused', status: answer.status, excerpt: answer.excerpt, reason };
      }
      return { outcome: 'answered', status: answer.status, excerpt: answer.excerpt, ...parsed.data };
    },
  };
}
