/** Run-time settings documents (policy, risk, routing rules, warehouses): edited by operations, versioned. Owned by ../settingsStore.ts. */
import { Schema } from 'mongoose';

/**
 * One version of a settings document. A new version is an insert with `version` = previous + 1
 * under a unique index, so two concurrent editors cannot both win.
 */
export const settingsVersionSchema = new Schema(
  {
    kind: { type: String, required: true },
    version: { type: Number, required: true },
    body: { type: Schema.Types.Mixed, required: true },
    actor: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, minimize: false, collection: 'settings' },
);
settingsVersionSchema.index({ kind: 1, version: 1 }, { unique: true });
