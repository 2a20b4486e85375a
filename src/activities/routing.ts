/** Routing activities: choose where each line ships from (RT-1…RT-6) and check delivery areas (FS-4). */
import type { Address, CanonicalOrder } from '../domain/order';
import type { PlannedShipment } from '../domain/orderView';
import { regionOfProvince } from '../domain/routing/regions';
import { routingContextSchema, type RoutingContext } from '../domain/routing/context';
import type { RoutingDecision } from '../domain/routing/decision';
import { routeOrder } from '../domain/routing/route';
import type { StockLevel } from '../domain/routing/warehouses';
import type { ActivityDeps } from './deps';

/** What the workflow needs from a routing decision; the full decision is kept for the explanation (RT-6). */
export interface RouteResult {
  shipments: Omit<PlannedShipment, 'shipmentId'>[];
  unroutable: Array<{ lineId: string; reason: string }>;
  summary: string;
  decision: unknown;
}

/** What routing reads: the database and the stores. */
export type RoutingDeps = Pick<ActivityDeps, 'db' | 'stores'>;

/** Current stock of the given SKUs in every listed warehouse, with safety thresholds; read fresh from the ledger. */
async function stockFor({ db, stores }: RoutingDeps, skus: string[], warehouseIds: string[]): Promise<StockLevel[]> {
  const items = await db.models.StockItem.find({ sku: { $in: skus } }).lean();
  const threshold = new Map(items.map((i) => [`${i.sku}@${i.warehouseId}`, i.safetyThreshold]));
  const levels = await Promise.all(skus.flatMap((sku) => warehouseIds.map(async (warehouseId) => {
    const balance = await stores.ledger.balance(sku, warehouseId);
    return { sku, warehouseId, onHand: balance.onHand, reserved: balance.reserved, safetyThreshold: threshold.get(`${sku}@${warehouseId}`) ?? 0 };
  })));
  return levels.filter((level) => level.onHand > 0 || level.reserved > 0);
}

/** Start of the business day containing `now`, in the network's time zone (IN-3: days are not UTC days). */
export function businessDayStart(now: Date, offset: string): Date {
  const sign = offset.startsWith('-') ? -1 : 1;
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(now.getTime() + minutes * 60_000);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - minutes * 60_000);
}

/**
 * Orders each warehouse took today (RT-4 daily capacity), derived from the reservation ledger rather than
 * kept in a shared counter, so it needs no guarded write of its own.
 */
async function capacityUsedToday({ db }: RoutingDeps, warehouseIds: string[], since: Date): Promise<Record<string, number>> {
  const counts = await Promise.all(warehouseIds.map(async (warehouseId) =>
    [warehouseId, (await db.models.StockEntry.distinct('orderId', { warehouseId, kind: 'reserve', at: { $gte: since } })).length] as const));
  return Object.fromEntries(counts);
}

/** The routing inputs of this moment for an order: current rules, network and the stock of its SKUs. */
export async function loadRoutingContext(deps: RoutingDeps, order: CanonicalOrder): Promise<RoutingContext> {
  const [rules, network] = await Promise.all([deps.stores.routingRules.latest(), deps.stores.network.latest()]);
  const skus = [...new Set(order.lines.map((l) => l.sku))];
  const warehouseIds = network.body.warehouses.map((w) => w.id);
  const now = new Date();
  const [stock, used] = await Promise.all([stockFor(deps, skus, warehouseIds), capacityUsedToday(deps, warehouseIds, businessDayStart(now, network.body.timeZone))]);
  return routingContextSchema.parse({
    ruleSet: { ...rules.body, version: rules.version },
    warehouses: network.body.warehouses,
    regionPriority: network.body.regionPriority,
    supplierDeliveryDays: network.body.supplierDeliveryDays,
    stock,
    capacityUsedToday: used,
    now: now.toISOString(),
  });
}

/** Decides where an order would ship from right now; reads only, so it reserves nothing (the activity and what-if share it). */
export async function decideRoute(deps: RoutingDeps, order: CanonicalOrder): Promise<RoutingDecision> {
  return routeOrder(order, await loadRoutingContext(deps, order));
}

/** Builds the routing activities. */
export function createRoutingActivities({ db, stores }: ActivityDeps) {
  return {
    /** Routes an order with the rules, network and stock of this moment; the result is recorded in history. */
    async routeOrder(input: { orderId: string; order: CanonicalOrder }): Promise<RouteResult> {
      const decision = await decideRoute({ db, stores }, input.order);
      return {
        shipments: decision.shipments.map((s) => s.kind === 'warehouse'
          ? { kind: 'warehouse', locationId: s.warehouseId, lineIds: s.lineIds, promisedDeliveryDays: s.promisedDeliveryDays }
          : { kind: 'supplier', locationId: s.supplierId, lineIds: s.lineIds, promisedDeliveryDays: s.promisedDeliveryDays ?? undefined }),
        unroutable: decision.unroutable.map((u) => ({ lineId: u.lineId, reason: `${u.reason}: ${u.detail}` })),
        summary: decision.explanation.summary,
        decision,
      };
    },

    /** Orders holding stock at a warehouse that has not yet shipped them, for an outage re-route (RT-4). */
    async findOrdersToReroute(input: { warehouseId: string }): Promise<string[]> {
      const records = await db.models.Order.find({ warehouseIds: input.warehouseId, status: { $in: ['RESERVED', 'FULFILLING'] } }, { _id: 1 }).lean();
      return records.map((r) => r._id);
    },

    /** True when the address lies in a region some enabled warehouse delivers to. */
    async checkDeliveryArea(input: { address: Address }): Promise<{ deliverable: boolean; reason?: string }> {
      const region = regionOfProvince(input.address.province);
      if (!region) return { deliverable: false, reason: `province ${input.address.province} is not in the delivery area` };
      const network = (await stores.network.latest()).body;
      const enabled = new Set(network.warehouses.filter((w) => w.enabled).map((w) => w.id));
      const serving = [...(network.regionPriority.byRegion[region] ?? []), ...network.regionPriority.fallback].some((id) => enabled.has(id));
      return serving ? { deliverable: true } : { deliverable: false, reason: `no enabled warehouse delivers to ${region}` };
    },
  };
}
