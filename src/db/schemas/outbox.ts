/** Messages to outside systems (WMS, channels, suppliers, payments), each written once by its key. Owned by ../outbox.ts. */
import { Schema } from 'mongoose';

/** An outgoing message; `_id` is its idempotency key so a retried activity never sends twice. */
export const outboxMessageSchema = new Schema(
  {
    _id: { type: String, required: true },
    target: { type: String, required: true, enum: ['wms', 'channel', 'supplier', 'payment', 'notification'] },
    kind: { type: String, required: true },
    orderId: { type: String, required: true },
    recipient: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false, collection: 'outbox' },
);
outboxMessageSchema.index({ orderId: 1, createdAt: 1 });
outboxMessageSchema.index({ target: 1, recipient: 1, createdAt: 1 });
