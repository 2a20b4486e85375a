/**
 * Signs outbound requests per the Standard Webhooks spec (https://www.standardwebhooks.com), so any receiver with a
 * Standard Webhooks library verifies them without code of ours.
 */
import { Webhook } from 'standardwebhooks';

/** The three headers the spec puts on every request. */
export interface StandardWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** Signs one message: its id (our idempotency key), the raw body, and when it is sent. */
export type WebhookSigner = (id: string, payload: string, sentAt?: Date) => StandardWebhookHeaders;

/**
 * Builds a signer for one or two secrets. Each secret adds its own `v1,` signature, space-separated, so during a
 * rotation a receiver holding only the old or only the new secret still verifies.
 */
export function webhookSigner(secrets: readonly string[]): WebhookSigner {
  if (secrets.length === 0) throw new Error('a webhook signer needs at least one secret');
  // Decoded once per partner, not per request; a malformed secret fails at start-up rather than on first delivery.
  const keys = secrets.map((secret) => new Webhook(secret));
  return (id, payload, sentAt = new Date()) => ({
    'webhook-id': id,
    // The library signs whole seconds; the header must carry the same second or no receiver verifies.
    'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
    'webhook-signature': keys.map((key) => key.sign(id, sentAt, payload)).join(' '),
  });
}
