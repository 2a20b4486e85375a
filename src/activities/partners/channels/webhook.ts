/** A sales channel that takes shipment write-backs as a signed webhook and dedupes on its `webhook-id`. */
import type { WebhookEndpoint } from '../../../config/partners';
import type { ChannelAdapter } from '../types';
import { createWebhookTarget, type WebhookOptions } from '../webhook';

/** Builds the write-back adapter for a channel reached by the generic signed webhook. */
export function createWebhookChannelAdapter(endpoint: WebhookEndpoint, options: WebhookOptions): ChannelAdapter {
  const target = createWebhookTarget(endpoint, options);
  return {
    // Standard Webhooks receivers dedupe on webhook-id, which is our key: a retry cannot post the parcel twice.
    dedupe: 'idempotency-key',
    writeBackShipment: (writeBack, key) => target.post('shipment.shipped', { ...writeBack }, key),
  };
}
