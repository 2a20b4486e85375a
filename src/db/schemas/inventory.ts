/** Stock ledger entries and stock items: append-only entries guarded by unique indexes (never read-then-write). Owned by ../stockLedger.ts. */
import { Schema } from 'mongoose';

/**
 * One ledger entry. `seq` is the per-SKU-per-warehouse sequence and `pos` its key (`{sku}@{warehouse}#{seq}`): the
 * unique index on `pos` makes two concurrent writers of the same next entry collide, so balances can never fork,
 * and finds the entry after a known one with one indexed equality. The `_id` is the operation key (e.g.
 * `reserve:{reservationKey}`), so a retried operation is recorded once and found by the primary key.
 */
export const stockEntrySchema = new Schema(
  {
    _id: { type: String, required: true },
    sku: { type: String, required: true },
    warehouseId: { type: String, required: true },
    seq: { type: Number, required: true },
    pos: { type: String, required: true },
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
stockEntrySchema.index({ pos: 1 }, { unique: true });
stockEntrySchema.index({ sku: 1, warehouseId: 1, seq: 1 });
stockEntrySchema.index({ orderId: 1 });
stockEntrySchema.index({ reservationKey: 1 });

/**
 * One SKU in one warehouse, a document per catalog pair: its safety threshold in units (INV-4) and the ledger's head
 * as last written (seq and balances). The head may trail the ledger (a writer stopped between its entry and this
 * write), never lead it: readers take it as a starting point and step forward by `pos`.
 */
export const stockItemSchema = new Schema(
  {
    _id: { type: String, required: true },
    sku: { type: String, required: true },
    warehouseId: { type: String, required: true },
    safetyThreshold: { type: Number, required: true, default: 0 },
    seq: { type: Number },
    onHand: { type: Number },
    reserved: { type: Number },
  },
  { versionKey: false, collection: 'stock_items' },
);
stockItemSchema.index({ sku: 1, warehouseId: 1 }, { unique: true });
