/** The generic signed webhook as a notification channel: one `escalation.notice` event, deduped on `webhook-id` (our key). */
import type { WebhookEndpoint } from '../../../config/partners';
import { createWebhookTarget, type WebhookOptions } from '../webhook';
import type { Notifier } from './types';

/** Builds the notifier for one signed-webhook receiver (an on-call tool, a team's own bot). */
export function createWebhookNotifier(endpoint: WebhookEndpoint, options: WebhookOptions): Notifier {
  const target = createWebhookTarget(endpoint, options);
  return { send: (notice, key) => target.post('escalation.notice', { ...notice }, key) };
}
