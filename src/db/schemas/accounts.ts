/** Accounts of the parties that report shipments (warehouses, carriers, suppliers), their API keys and their audit trail. Owned by ../accounts.ts. */
import { Schema } from 'mongoose';

/** A supplier's payouts: frozen or not, and the freeze in force (who, since when, why). */
const payoutSchema = new Schema(
  {
    frozen: { type: Boolean, required: true },
    since: { type: Date },
    by: { type: String },
    reason: { type: String },
  },
  { _id: false },
);

/**
 * One party's account. `_id` is `{kind}:{partyId}`, so a second account for the same warehouse, carrier or supplier
 * collides on the primary key instead of depending on a read before the insert. A supplier's account also carries its
 * profile (Mixed: its shape is `supplierProfileInputSchema` in src/domain/supplier.ts, checked on write and on read)
 * and its payout state, so everything a delivery to the supplier needs is one primary-key read.
 */
export const accountSchema = new Schema(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true, enum: ['warehouse', 'carrier', 'supplier'] },
    partyId: { type: String, required: true },
    name: { type: String, required: true },
    createdAt: { type: Date, required: true },
    createdBy: { type: String, required: true },
    supplier: { type: Schema.Types.Mixed },
    payout: { type: payoutSchema },
    /** A supplier routing sends no new order to (ES-3), with who paused it; top level, so the paused are index-served. */
    dispatchPaused: { type: Boolean },
    dispatchPausedBy: { type: String },
  },
  { versionKey: false, collection: 'accounts' },
);
accountSchema.index({ kind: 1 });
accountSchema.index({ dispatchPaused: 1 });

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

/**
 * One change to an account: created, key issued or revoked, profile changed, payouts frozen or unfrozen — who, when,
 * and before/after where they say more than the action. Never changed or deleted. The default ObjectId `_id` grows
 * with insertion, so it orders entries written in the same millisecond.
 */
export const accountAuditSchema = new Schema(
  {
    accountId: { type: String, required: true },
    at: { type: Date, required: true },
    actor: { type: String, required: true },
    action: { type: String, required: true },
    keyId: { type: String },
    before: { type: Schema.Types.Mixed },
    after: { type: Schema.Types.Mixed },
    detail: { type: String },
  },
  { versionKey: false, minimize: false, collection: 'account_audit' },
);
accountAuditSchema.index({ accountId: 1, at: -1 });
