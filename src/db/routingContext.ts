/**
 * What a routing decision needs (RT-1…RT-6), loaded once per decision: the current rules and network (cached by
 * version in their settings stores), the stock of the order's SKUs and each warehouse's capacity used today.
 */
import type { CanonicalOrder } from '../domain/order';
import { DEFAULT_PRIORITY, type RoutingContext } from '../domain/routing/context';
import type { RoutingRuleSet } from '../domain/routing/rules';
import type { StockLevel } from '../domain/routing/warehouses';
import type { SettingsStore } from './settingsStore';
import { businessDayOf } from '../domain/routing/businessDay';
import type { StockLedger } from './stockLedger';
import type { WarehouseLoad } from './warehouseLoad';
import type { Network } from '../domain/routing/warehouses';

/** Where the routing inputs come from. */
export interface RoutingSources {
  /** Suppliers paused for dispatch (ES-3): routing sends them nothing new. */
  pausedSuppliers: () => Promise<string[]>;
  routingRules: SettingsStore<RoutingRuleSet>;
  network: SettingsStore<Network>;
  ledger: StockLedger;
  warehouseLoad: WarehouseLoad;
}

/** Creates the loader of routing inputs. */
export function createRoutingContextLoader({ pausedSuppliers, routingRules, network, ledger, warehouseLoad }: RoutingSources) {
  /** Stock of the SKUs that is on hand or reserved somewhere; a missing pair means none (as routing reads it). */
  const stockFor = async (skus: string[], warehouseIds: string[]): Promise<StockLevel[]> =>
    (await ledger.stockForRouting(skus))
      .filter((level) => warehouseIds.includes(level.warehouseId))
      .filter((level) => level.onHand > 0 || level.reserved > 0)
      .map(({ sku, warehouseId, onHand, reserved, safetyThreshold }) => ({ sku, warehouseId, onHand, reserved, safetyThreshold }));

  return {
    /** The routing inputs of this moment for an order: rules, network, stock of its SKUs, each warehouse's load today (RT-4). */
    async load(order: CanonicalOrder): Promise<RoutingContext> {
      const [rules, net, paused] = await Promise.all([routingRules.latest(), network.latest(), pausedSuppliers()]);
      const skus = [...new Set(order.lines.map((l) => l.sku))];
      const warehouseIds = net.body.warehouses.map((w) => w.id);
      const now = new Date();
      const [stock, used] = await Promise.all([
        stockFor(skus, warehouseIds),
        warehouseLoad.ordersOn(warehouseIds, businessDayOf(now, net.body.timeZone)),
      ]);
      // Assembled, not re-parsed: rules and network were validated when read (and are cached by version), and
      // re-validating a rule set on every decision cost more CPU than the decision itself (LD-2).
      return {
        ruleSet: { ...rules.body, version: rules.version },
        warehouses: net.body.warehouses,
        regionPriority: net.body.regionPriority,
        supplierDeliveryDays: net.body.supplierDeliveryDays,
        stock,
        capacityUsedToday: used,
        defaultPriority: DEFAULT_PRIORITY,
        now: now.toISOString(),
        excludedSuppliers: paused,
      };
    },
  };
}

/** The routing-context loader of one database. */
export type RoutingContextLoader = ReturnType<typeof createRoutingContextLoader>;
