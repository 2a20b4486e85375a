/** The stores every process shares: run-time settings and the stock ledger over one database. */
import { z } from 'zod';
import { defaultOrderPolicy, orderPolicySchema, policyOverrideSchema } from '../domain/policy';
import { routingRuleSetSchema } from '../domain/routing/rules';
import { regionPrioritySchema, warehouseSchema } from '../domain/routing/warehouses';
import type { Database } from './connection';
import { createSettingsStore } from './settingsStore';
import { createStockLedger } from './stockLedger';

/** The stored order policy: a base for everyone and overrides per brand and/or channel. */
export const policySettingsSchema = z.object({
  base: orderPolicySchema,
  overrides: z.array(policyOverrideSchema).max(500).default([]),
});
/** Stored order policy settings. */
export type PolicySettings = z.infer<typeof policySettingsSchema>;

/** The warehouse network routing chooses from (RT-1, RT-4): warehouses, the region matrix, supplier lead times. */
export const networkSchema = z.object({
  warehouses: z.array(warehouseSchema).max(500),
  regionPriority: regionPrioritySchema,
  supplierDeliveryDays: z.record(z.string(), z.number().int().min(0).max(60)).default({}),
  /** Offset of the business day, for daily capacity (IN-3: the business runs on UTC+8). */
  timeZone: z.string().regex(/^[+-]\d{2}:\d{2}$/, 'an offset such as +08:00').default('+08:00'),
});
/** A validated warehouse network. */
export type Network = z.infer<typeof networkSchema>;

/** Builds the stores of one database connection. */
export function createStores(db: Database) {
  return {
    policy: createSettingsStore(db.models, 'orderPolicy', policySettingsSchema, { base: defaultOrderPolicy, overrides: [] }),
    routingRules: createSettingsStore(db.models, 'routingRules', routingRuleSetSchema, routingRuleSetSchema.parse({ id: 'rules', version: 0, rules: [] })),
    network: createSettingsStore(db.models, 'network', networkSchema, { warehouses: [], regionPriority: { byRegion: {}, fallback: [] }, supplierDeliveryDays: {}, timeZone: '+08:00' }),
    ledger: createStockLedger(db.models),
  };
}

/** The stores of one process. */
export type Stores = ReturnType<typeof createStores>;
