/** Candidate warehouses for an order, in the order they are tried, with the stock seen in each (RT-1, RT-4, INV-4). */
import type { OrderLine } from '../order';
import type { RoutingPlan } from './actions';
import type { RoutingContext } from './context';
import type { CandidateSource, ExclusionReason, StockSeen } from './decision';
import type { Region } from './regions';
import { StockIndex, servesRegion, type Warehouse } from './warehouses';

/** The demand for one SKU: lines of the same SKU ship together, so stock is checked once for their sum. */
export interface Demand {
  readonly sku: string;
  readonly quantity: number;
  readonly lineIds: readonly string[];
}

/** A warehouse routing may try, with its stock per demand (empty when excluded). */
export interface Candidate {
  readonly warehouseId: string;
  readonly warehouse?: Warehouse;
  readonly source: CandidateSource;
  readonly ruleId?: string;
  readonly exclusion?: ExclusionReason;
  readonly stock: readonly StockSeen[];
  /** Shipping here would take some SKU below its safety threshold: tried after the others (INV-4). */
  readonly demoted: boolean;
}

/** Demands of the given lines, in order of first appearance. */
export function demandsOf(lines: readonly OrderLine[]): Demand[] {
  const bySku = new Map<string, { sku: string; quantity: number; lineIds: string[] }>();
  for (const line of lines) {
    const demand = bySku.get(line.sku) ?? { sku: line.sku, quantity: 0, lineIds: [] };
    demand.quantity += line.quantity;
    demand.lineIds.push(line.lineId);
    bySku.set(line.sku, demand);
  }
  return [...bySku.values()];
}

/** The warehouse ids to try, deduplicated, with where each came from; temporary ones always go last (RT-4). */
function rankedIds(plan: RoutingPlan, region: Region | undefined, context: RoutingContext, byId: ReadonlyMap<string, Warehouse>) {
  if (plan.required) return [{ warehouseId: plan.required.warehouseId, source: 'required' as const, ruleId: plan.required.ruleId }];
  const row = region ? context.regionPriority.byRegion[region] : undefined;
  const regionRow = row ?? context.regionPriority.fallback;
  const listed: { warehouseId: string; source: CandidateSource; ruleId?: string }[] = [
    ...plan.preferred.map((p) => ({ warehouseId: p.warehouseId, source: 'preferred' as const, ruleId: p.ruleId })),
    ...regionRow.map((warehouseId) => ({ warehouseId, source: row ? ('region' as const) : ('fallback' as const) })),
    ...context.warehouses
      .filter((w) => w.kind === 'temporary' && servesRegion(w, region))
      .map((w) => ({ warehouseId: w.id, source: 'temporary' as const })),
  ];
  const unique = new Map<string, (typeof listed)[number]>();
  for (const entry of listed) if (!unique.has(entry.warehouseId)) unique.set(entry.warehouseId, entry);
  const isTemporary = (id: string) => byId.get(id)?.kind === 'temporary';
  const ordered = [...unique.values()];
  return [...ordered.filter((e) => !isTemporary(e.warehouseId)), ...ordered.filter((e) => isTemporary(e.warehouseId))];
}

/** Why a warehouse cannot take another shipment today, if it cannot. */
function exclusionOf(warehouse: Warehouse | undefined, plan: RoutingPlan, context: RoutingContext): ExclusionReason | undefined {
  if (!warehouse) return 'UNKNOWN_WAREHOUSE';
  if (plan.excluded.has(warehouse.id)) return 'EXCLUDED_BY_RULE';
  if (!warehouse.enabled) return 'DISABLED';
  if (warehouse.paused) return 'PAUSED';
  if ((context.capacityUsedToday[warehouse.id] ?? 0) >= warehouse.dailyCapacity) return 'OVER_CAPACITY';
  return undefined;
}

/** Stock of one demand in one warehouse and what it means for routing. */
function stockSeen(stock: StockIndex, warehouseId: string, demand: Demand): StockSeen {
  const level = stock.get(warehouseId, demand.sku);
  const available = level.onHand - level.reserved;
  const remainingAfter = available - demand.quantity;
  const verdict = available < demand.quantity ? 'OUT_OF_STOCK' : remainingAfter < level.safetyThreshold ? 'BELOW_SAFETY_THRESHOLD' : 'OK';
  const { onHand, reserved, safetyThreshold } = level;
  return { sku: demand.sku, quantity: demand.quantity, onHand, reserved, available, safetyThreshold, remainingAfter, verdict };
}

/**
 * Candidates in their natural order: the required warehouse alone, or rule-preferred, then the region's
 * row of the matrix (the fallback row when it has none), then temporary warehouses serving the region.
 */
export function candidatesFor(
  plan: RoutingPlan,
  region: Region | undefined,
  demands: readonly Demand[],
  context: RoutingContext,
): Candidate[] {
  const byId = new Map(context.warehouses.map((w) => [w.id, w]));
  const stock = new StockIndex(context.stock);
  return rankedIds(plan, region, context, byId).map(({ warehouseId, source, ruleId }) => {
    const warehouse = byId.get(warehouseId);
    const exclusion = exclusionOf(warehouse, plan, context);
    const seen = exclusion ? [] : demands.map((demand) => stockSeen(stock, warehouseId, demand));
    const demoted = seen.some((s) => s.verdict === 'BELOW_SAFETY_THRESHOLD');
    return { warehouseId, warehouse, source, ...(ruleId ? { ruleId } : {}), ...(exclusion ? { exclusion } : {}), stock: seen, demoted };
  });
}
