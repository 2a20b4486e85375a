/**
 * Every owner over one database: run-time settings, the stock ledger, the order read model, returns, routing inputs,
 * outgoing messages and the accounts of the parties that report shipments.
 */
import { defaultEscalationPolicy, escalationSettingsSchema } from '../domain/escalation';
import { defaultOrderPolicy, policySettingsSchema } from '../domain/policy';
import { defaultReturnPolicy, returnSettingsSchema } from '../domain/returnPolicy';
import { routingRuleSetSchema } from '../domain/routing/rules';
import { networkSchema } from '../domain/routing/warehouses';
import { createAccounts } from './accounts';
import type { Database } from './connection';
import { createDeliveries } from './deliveries';
import { createOrderReadModel } from './orderReadModel';
import { createReturns } from './returns';
import { createRoutingContextLoader } from './routingContext';
import { createSettingsStore } from './settingsStore';
import { createStockLedger } from './stockLedger';
import { createWarehouseLoad } from './warehouseLoad';

/** Builds the owners of one database connection; nothing outside src/db sees its models. */
export function createStores(db: Database) {
  const routingRules = createSettingsStore(
    db.models,
    'routingRules',
    routingRuleSetSchema,
    routingRuleSetSchema.parse({ id: 'rules', version: 0, rules: [] }),
  );
  const network = createSettingsStore(db.models, 'network', networkSchema, {
    warehouses: [],
    regionPriority: { byRegion: {}, fallback: [] },
    supplierDeliveryDays: {},
    timeZone: '+08:00',
  });
  const ledger = createStockLedger(db.models);
  const warehouseLoad = createWarehouseLoad(db.models);
  const accounts = createAccounts(db.models);
  const orders = createOrderReadModel(db.models);
  return {
    policy: createSettingsStore(db.models, 'orderPolicy', policySettingsSchema, { base: defaultOrderPolicy, overrides: [] }),
    escalationPolicy: createSettingsStore(db.models, 'escalationPolicy', escalationSettingsSchema, {
      base: defaultEscalationPolicy,
      overrides: [],
    }),
    returnPolicy: createSettingsStore(db.models, 'returnPolicy', returnSettingsSchema, { base: defaultReturnPolicy, overrides: [] }),
    routingRules,
    network,
    ledger,
    orders,
    returns: createReturns(db.models, (query) => orders.shippedUnits(query)),
    warehouseLoad,
    routingContext: createRoutingContextLoader({
      pausedSuppliers: () => accounts.pausedSuppliers(),
      routingRules,
      network,
      ledger,
      warehouseLoad,
    }),
    deliveries: createDeliveries(db.models),
    accounts,
  };
}

/** The stores of one process. */
export type Stores = ReturnType<typeof createStores>;
