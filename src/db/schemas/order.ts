/** Order read model, audit trail and buyer rows: written only by the order workflow's activities. Owned by ../orderReadModel.ts. */
import { Schema } from 'mongoose';

/** One order as the list endpoints see it; the workflow owns the truth, this mirrors it. */
export const orderRecordSchema = new Schema(
  {
    _id: { type: String, required: true },
    workflowId: { type: String, required: true },
    channel: { type: String, required: true },
    channelOrderId: { type: String, required: true },
    brand: { type: String, required: true },
    buyerId: { type: String, required: true },
    status: { type: String, required: true },
    holdReasons: { type: [String], default: [] },
    warehouseIds: { type: [String], default: [] },
    supplierIds: { type: [String], default: [] },
    /** Suppliers with a pushed shipment not yet shipped or rejected: what each supplier's open-orders list reads. */
    openSupplierIds: { type: [String], default: [] },
    orderedAt: { type: Date, required: true },
    paidAt: { type: Date },
    version: { type: Number, required: true },
    view: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false, collection: 'orders' },
);
orderRecordSchema.index({ status: 1, orderedAt: -1 });
orderRecordSchema.index({ channel: 1, orderedAt: -1 });
orderRecordSchema.index({ brand: 1, orderedAt: -1 });
orderRecordSchema.index({ warehouseIds: 1, orderedAt: -1 });
orderRecordSchema.index({ buyerId: 1, orderedAt: -1 });
// Equality only: FerretDB sorts in memory anyway, and a supplier's open orders are few.
orderRecordSchema.index({ openSupplierIds: 1 });
// A supplier's orders, for finance's payable export (read per supplier, by equality).
orderRecordSchema.index({ supplierIds: 1 });

/** One entry of an order's audit trail (OP-2): who, when, what, before and after. Never deleted. */
export const auditEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    seq: { type: Number, required: true },
    at: { type: Date, required: true },
    actor: { type: { kind: String, id: String }, required: true, _id: false },
    action: { type: String, required: true },
    before: { type: Schema.Types.Mixed },
    after: { type: Schema.Types.Mixed },
    detail: { type: String },
    /** The trace the entry was written in, when tracing is on. */
    traceId: { type: String },
  },
  { versionKey: false, minimize: false, collection: 'audit_events' },
);
auditEventSchema.index({ orderId: 1, seq: 1 }, { unique: true });

/**
 * One small row per order for buyer-history risk rules (MR-3): counting these stays cheap where the read
 * model's documents are large (FerretDB decodes every document it scans). Inserted once per order id.
 */
export const buyerOrderSchema = new Schema(
  {
    _id: { type: String, required: true },
    buyerId: { type: String, required: true },
    orderedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'buyer_orders' },
);
buyerOrderSchema.index({ buyerId: 1, orderedAt: -1 });
