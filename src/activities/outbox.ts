/** Sends a message to an outside system exactly once: the outbox row's id is the idempotency key. */
import { insertOnce } from '../db/connection';
import type { ActivityDeps } from './deps';

/** One outgoing message. */
export interface OutgoingMessage {
  key: string;
  target: 'wms' | 'channel' | 'supplier' | 'payment' | 'notification';
  kind: string;
  orderId: string;
  recipient: string;
  payload: Record<string, unknown>;
}

/** Builds the sender over a database; a retried activity finds its message already there. */
export function createOutbox({ db, logger }: Pick<ActivityDeps, 'db' | 'logger'>) {
  return async function send(message: OutgoingMessage): Promise<'sent' | 'already-sent'> {
    if (!(await insertOnce(db.models.OutboxMessage, { _id: message.key, ...message, createdAt: new Date() }))) return 'already-sent';
    logger.info({ target: message.target, kind: message.kind, orderId: message.orderId, recipient: message.recipient }, 'outbox message queued');
    return 'sent';
  };
}
