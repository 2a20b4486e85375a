/** Sends a message to an outside system exactly once: the outbox stores it under its idempotency key. */
import type { OutgoingMessage } from '../db/outbox';
import type { ActivityDeps } from './deps';

/** Builds the sender; a retried activity finds its message already queued and logs nothing twice. */
export function createSender({ stores, logger }: ActivityDeps) {
  return async function send(message: OutgoingMessage): Promise<'sent' | 'already-sent'> {
    if ((await stores.outbox.enqueue(message)) === 'already-queued') return 'already-sent';
    logger.info(
      { target: message.target, kind: message.kind, orderId: message.orderId, recipient: message.recipient },
      'outbox message queued',
    );
    return 'sent';
  };
}
