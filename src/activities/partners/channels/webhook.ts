/** A sales channel reached by the generic signed webhook, which dedupes on its `webhook-id` (our key). */
import type { WebhookEndpoint } from '../../../config/partners';
import { createWebhookRefunds } from '../payments/webhook';
import type { ChannelAdapter } from '../types';
import { createWebhookTarget, type WebhookOptions } from '../webhook';

/** Builds the adapter for a channel reached by the generic signed webhook: parcels, refunds and refund write-backs. */
export function createWebhookChannelAdapter(endpoint: WebhookEndpoint, options: WebhookOptions): ChannelAdapter {
  const target = createWebhookTarget(endpoint, options);
  return {
    // Standard Webhooks receivers dedupe on webhook-id, which is our key: a retry cannot post the parcel twice.
    dedupe: 'idempotency-key',
    writeBackShipment: (writeBack, key) => target.post('shipment.shipped', { ...writeBack }, key),
    // The marketplace holds the buyer's money: its after-sales side takes the refund, once per key.
    ...createWebhookRefunds(endpoint, options),
    writeBackRefund: (writeBack, key) => target.post('refund.completed', { ...writeBack }, key),
  };
}
