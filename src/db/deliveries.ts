/** Owner of the deliveries log: each message to a partner, its attempts, the partner's last answer and its state. */
import type { DeliveryRecord, DeliveryState, PartnerKind, PartnerRef } from '../domain/delivery';
import { deliveryRecordSchema } from '../domain/delivery';
import { isDuplicateKey } from './connection';
import type { Models } from './models';

/** A message about to be delivered. */
export interface DeliveryIntent {
  key: string;
  orderId?: string;
  partner: PartnerRef;
  kind: string;
}

/** The partner's answer to one attempt, as logged. */
export interface AttemptResult {
  state: DeliveryState;
  status?: number;
  excerpt: string;
  reason?: string;
  reference?: string;
}

/** Largest page of a deliveries listing. */
const MAX_PAGE = 200;

interface StoredDelivery {
  _id: string;
  orderId?: string;
  partnerKind: string;
  partnerId: string;
  kind: string;
  state: string;
  attempts: number;
  createdAt: Date;
  lastAttemptAt?: Date;
  deliveredAt?: Date;
  lastResponse?: unknown;
  reference?: string;
}

/** A stored row as the domain shape, validated on the way out (documents read back are an edge). */
function toRecord(doc: StoredDelivery): DeliveryRecord {
  return deliveryRecordSchema.parse({
    key: doc._id,
    orderId: doc.orderId ?? undefined,
    partner: { kind: doc.partnerKind, id: doc.partnerId },
    kind: doc.kind,
    state: doc.state,
    attempts: doc.attempts,
    createdAt: doc.createdAt.toISOString(),
    lastAttemptAt: doc.lastAttemptAt?.toISOString(),
    deliveredAt: doc.deliveredAt?.toISOString(),
    lastResponse: doc.lastResponse ?? undefined,
    reference: doc.reference ?? undefined,
  });
}

/** Creates the deliveries log over a database's models. */
export function createDeliveries(models: Models) {
  const { Delivery } = models;
  return {
    /**
     * Records one attempt and the partner's answer, creating the row on the first: one round trip per attempt. An
     * acknowledged delivery stays delivered: a late answer of an older attempt never undoes it.
     */
    async recordAttempt(intent: DeliveryIntent, result: AttemptResult, now = new Date()): Promise<void> {
      const { state, status, excerpt, reason, reference } = result;
      const filter: Record<string, unknown> = { _id: intent.key, state: { $ne: 'delivered' } };
      const update = {
        $setOnInsert: {
          orderId: intent.orderId,
          partnerKind: intent.partner.kind,
          partnerId: intent.partner.id,
          kind: intent.kind,
          createdAt: now,
        },
        $set: {
          state,
          lastAttemptAt: now,
          // Absent fields stay absent: a stored null would not read back as "no status" (a timeout has none).
          lastResponse: { excerpt, ...(status !== undefined ? { status } : {}), ...(reason !== undefined ? { reason } : {}) },
          ...(state === 'delivered' ? { deliveredAt: now } : {}),
          ...(reference !== undefined ? { reference } : {}),
        },
        $inc: { attempts: 1 },
      };
      try {
        await Delivery.updateOne(filter, update, { upsert: true });
      } catch (error) {
        // The upsert met the delivered row under the same key: it is delivered already, nothing to record.
        if (!isDuplicateKey(error)) throw error;
      }
    },

    /** One delivery by its key. */
    async byKey(key: string): Promise<DeliveryRecord | undefined> {
      const doc = await Delivery.findById(key).lean<StoredDelivery>();
      return doc ? toRecord(doc) : undefined;
    },

    /** Every delivery of one order, oldest first. */
    async ofOrder(orderId: string): Promise<DeliveryRecord[]> {
      const docs = await Delivery.find({ orderId }).sort({ createdAt: 1 }).limit(MAX_PAGE).lean<StoredDelivery[]>();
      return docs.map(toRecord);
    },

    /** One partner's deliveries, newest first, optionally in one state; `limit` at most 200. */
    async ofPartner(
      partner: { kind: PartnerKind; id: string },
      options: { state?: DeliveryState; limit?: number } = {},
    ): Promise<DeliveryRecord[]> {
      const filter = { partnerKind: partner.kind, partnerId: partner.id, ...(options.state ? { state: options.state } : {}) };
      const docs = await Delivery.find(filter)
        .sort({ createdAt: -1 })
        .limit(Math.min(options.limit ?? 50, MAX_PAGE))
        .lean<StoredDelivery[]>();
      return docs.map(toRecord);
    },

    /** Every delivery in the log, streamed in no particular order: the invariant checker reads it whole, off the order path. */
    async *all(): AsyncGenerator<DeliveryRecord> {
      for await (const doc of Delivery.find({}).lean<StoredDelivery>().cursor()) yield toRecord(doc);
    },
  };
}

/** The deliveries log of one database. */
export type Deliveries = ReturnType<typeof createDeliveries>;
