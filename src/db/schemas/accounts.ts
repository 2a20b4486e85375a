/** Accounts of the parties that report shipments (warehouses, carriers, suppliers) and their API keys. Owned by ../accounts.ts. */
import { Schema } from 'mongoose';

/**
 * One party's account. `_id` is `{kind}:{partyId}`, so a second account for the same warehouse, carrier or supplier
 * collides on the primary key instead of depending on a read before the insert.
 */
export const accountSchema = new Schema(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true, enum: ['warehouse', 'carrier', 'supplier'] },
    partyId: { type: String, required: true },
    name: { type: String, required: true },
    createdAt: { type: Date, required: true },
    createdBy: { type: String, required: true },
  },
  { versionKey: false, collection: 'accounts' },
);
accountSchema.index({ kind: 1 });

/**
 * One API key of an account. `_id` is the key id printed inside the key itself, so authenticating a request is one
 * primary-key read; only the SHA-256 of the key is kept, never the key. `kind` and `partyId` are copied from the
 * account (both fixed by its id) so that read alone names the caller.
 */
export const accountKeySchema = new Schema(
  {
    _id: { type: String, required: true },
    accountId: { type: String, required: true },
    kind: { type: String, required: true, enum: ['warehouse', 'carrier', 'supplier'] },
    partyId: { type: String, required: true },
    hash: { type: String, required: true },
    label: { type: String },
    createdAt: { type: Date, required: true },
    createdBy: { type: String, required: true },
    lastUsedAt: { type: Date },
    revokedAt: { type: Date },
    revokedBy: { type: String },
  },
  { versionKey: false, collection: 'account_keys' },
);
accountKeySchema.index({ accountId: 1 });
accountKeySchema.index({ kind: 1 });
