/** The generic signed webhook: one JSON event per call, signed per Standard Webhooks, answered by the generic reading. */
import type { WebhookEndpoint } from '../../config/partners';
import { callPartner, classify, type HttpResponse } from './http';
import { webhookSigner } from './standardWebhooks';
import type { PartnerAnswer, WebhookTarget } from './types';

/** What every webhook-based adapter needs from the hub's partner configuration. */
export interface WebhookOptions {
  /** The hub's secrets, used unless the endpoint names its own. */
  signingSecrets: string[];
  timeoutMs: number;
}

/** Posts one event and returns the raw answer, for adapters that read more than the status (a carrier's tracking number). */
export type WebhookSender = (
  type: string,
  data: object,
  key: string,
) => Promise<HttpResponse | Extract<PartnerAnswer, { outcome: 'retry' }>>;

/** Builds the sender for one endpoint; the endpoint's own secrets override the hub's. */
export function createWebhookSender(endpoint: WebhookEndpoint, options: WebhookOptions): WebhookSender {
  const sign = webhookSigner(endpoint.secrets ?? options.signingSecrets);
  // Payloads carry names, phones and addresses: nothing here logs them; the deliveries log keeps the answer's excerpt.
  return (type, data, key) => {
    const sentAt = new Date();
    const body = JSON.stringify({ type, timestamp: sentAt.toISOString(), data });
    return callPartner({
      url: endpoint.url,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'OrderHub/1', ...sign(key, body, sentAt) },
      body,
      timeoutMs: options.timeoutMs,
    });
  };
}

/** A signed-webhook receiver (supplier, payment provider, operations) answered by the generic status reading. */
export function createWebhookTarget(endpoint: WebhookEndpoint, options: WebhookOptions): WebhookTarget {
  const send = createWebhookSender(endpoint, options);
  return {
    async post(type, data, key) {
      const response = await send(type, data, key);
      return 'outcome' in response ? response : classify(response);
    },
  };
}
