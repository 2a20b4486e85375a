/** Owner of the outbox collection: messages to outside systems, each stored once under its idempotency key. */
import { insertOnce } from './connection';
import type { Models } from './models';

/** One outgoing message; `key` is its idempotency key, so a retried activity never queues it twice. */
export interface OutgoingMessage {
  key: string;
  target: 'wms' | 'channel' | 'supplier' | 'payment' | 'notification';
  kind: string;
  orderId: string;
  recipient: string;
  payload: Record<string, unknown>;
}

/** Creates the outbox over a database's models. */
export function createOutbox(models: Models) {
  return {
    /** Queues a message once: 'already-queued' when its key was queued before (a retry). */
    async enqueue(message: OutgoingMessage): Promise<'queued' | 'already-queued'> {
      const stored = await insertOnce(models.OutboxMessage, { _id: message.key, ...message, createdAt: new Date() });
      return stored ? 'queued' : 'already-queued';
    },
  };
}

/** The outbox of one database. */
export type Outbox = ReturnType<typeof createOutbox>;
