/** Returns (RF-1…RF-4): one document per return, mirrored from its workflow's view. Owned by ../returns.ts. */
import { Schema } from 'mongoose';

/**
 * One return as operations list it: the columns the list filters on, copied from the view, and the view itself.
 * `_id` is the return's key (`{orderId}:{returnId}`); an older version never replaces a newer one.
 */
export const returnRecordSchema = new Schema(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    returnId: { type: String, required: true },
    rma: { type: String, required: true },
    brand: { type: String, required: true },
    channel: { type: String, required: true },
    status: { type: String, required: true },
    reason: { type: String, required: true },
    /** Every SKU the return sends back, so one filter finds the returns of a SKU. */
    skus: { type: [String], default: [] },
    requestedAt: { type: Date, required: true },
    version: { type: Number, required: true },
    view: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false, collection: 'returns' },
);
// The operations list filters by equality on each column (index-served on FerretDB by ../ferretIndexes.ts) and pages
// newest first; FerretDB sorts in memory, bounded by the matches.
returnRecordSchema.index({ orderId: 1 });
returnRecordSchema.index({ rma: 1 });
returnRecordSchema.index({ status: 1, requestedAt: -1 });
returnRecordSchema.index({ reason: 1, requestedAt: -1 });
returnRecordSchema.index({ brand: 1, requestedAt: -1 });
returnRecordSchema.index({ skus: 1, requestedAt: -1 });
