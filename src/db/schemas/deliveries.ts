/** The deliveries log: every message to a partner under its idempotency key, with its attempts. Owned by ../deliveries.ts. */
import { Schema } from 'mongoose';

/** One delivery; `_id` is its idempotency key. Fields are top level so FerretDB can serve their filters from an index. */
export const deliverySchema = new Schema(
  {
    _id: { type: String, required: true },
    orderId: { type: String },
    partnerKind: { type: String, required: true },
    partnerId: { type: String, required: true },
    kind: { type: String, required: true },
    state: { type: String, required: true, enum: ['pending', 'delivered', 'failed-permanently'] },
    attempts: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    lastAttemptAt: { type: Date },
    deliveredAt: { type: Date },
    lastResponse: { type: Schema.Types.Mixed },
    reference: { type: String },
  },
  { versionKey: false, minimize: false, collection: 'deliveries' },
);
deliverySchema.index({ orderId: 1, createdAt: 1 });
deliverySchema.index({ partnerKind: 1, partnerId: 1, createdAt: -1 });
