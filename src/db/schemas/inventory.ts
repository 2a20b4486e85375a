/** Stock ledger entries and stock items: append-only entries guarded by unique indexes (never read-then-write). Owned by ../stockLedger.ts. */
import { Schema } from 'mongoose';

/**
 * One ledger entry. `seq` is the per-SKU-per-warehouse sequence: the unique index on
 * (sku, warehouseId, seq) makes two concurrent writers of the same next entry collide, so balances
 * can never fork. The `_id` is the operation key (e.g. `reserve:{reservationKey}`), so a retried operation is recorded
 * once and found by the primary key (FerretDB only pushes `_id` lookups down to SQLite).
 */
export const stockEntrySchema = new Schema(
  {
    _id: { type: String, required: true },
    sku: { type: String, required: true },
    warehouseId: { type: String, required: true },
    seq: { type: Number, required: true },
    kind: { type: String, required: true, enum: ['receipt', 'adjust', 'reserve', 'release', 'commit'] },
    quantity: { type: Number, required: true },
    onHand: { type: Number, required: true },
    reserved: { type: Number, required: true },
    orderId: { type: String },
    reservationKey: { type: String },
    actor: { type: String },
    note: { type: String },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'stock_ledger' },
);
stockEntrySchema.index({ sku: 1, warehouseId: 1, seq: 1 }, { unique: true });
stockEntrySchema.index({ orderId: 1 });

/** Stock settings per SKU and warehouse (INV-4): the safety threshold, in units. */
export const stockItemSchema = new Schema(
  {
    _id: { type: String, required: true },
    sku: { type: String, required: true },
    warehouseId: { type: String, required: true },
    safetyThreshold: { type: Number, required: true, default: 0 },
  },
  { versionKey: false, collection: 'stock_items' },
);
stockItemSchema.index({ sku: 1, warehouseId: 1 }, { unique: true });
