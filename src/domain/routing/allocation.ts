/** Assigns SKU demands to candidate warehouses in the fewest shipments (RT-4, RT-5). */
import type { Candidate, Demand } from './candidates';
import type { Warehouse } from './warehouses';

/** One warehouse and the demands it ships. */
export interface Allocated {
  readonly candidate: Candidate;
  readonly warehouse: Warehouse;
  readonly demands: readonly Demand[];
}

/** The warehouse shipments, in the order chosen (the first is the primary), and demands nobody could take. */
export interface Allocation {
  readonly shipments: readonly Allocated[];
  readonly uncovered: readonly Demand[];
}

/** True when the candidate has enough available stock for the demand (below safety still counts). */
function canShip(candidate: Candidate, demand: Demand): boolean {
  return candidate.stock.some((s) => s.sku === demand.sku && s.verdict !== 'OUT_OF_STOCK');
}

/** Usable candidates of one tier, demoted ones after the rest, otherwise in natural order (stable). */
function tryOrder(candidates: readonly Candidate[], temporary: boolean): { candidate: Candidate; warehouse: Warehouse }[] {
  const tier = candidates.flatMap((candidate) => {
    const warehouse = candidate.warehouse;
    return !candidate.exclusion && warehouse && (warehouse.kind === 'temporary') === temporary ? [{ candidate, warehouse }] : [];
  });
  return [...tier.filter((c) => !c.candidate.demoted), ...tier.filter((c) => c.candidate.demoted)];
}

/**
 * Greedy set cover: repeatedly ship from the warehouse that can take the most remaining demands, ties going
 * to the earlier one in try order. A single warehouse that covers everything therefore always wins (RT-5).
 * Regular warehouses are exhausted first; temporary ones only take demands no regular one can (RT-4).
 */
export function allocate(candidates: readonly Candidate[], demands: readonly Demand[]): Allocation {
  const shipments: Allocated[] = [];
  let remaining = [...demands];
  for (const temporary of [false, true]) {
    const pool = tryOrder(candidates, temporary);
    while (remaining.length > 0) {
      let best: Allocated | undefined;
      for (const { candidate, warehouse } of pool) {
        if (shipments.some((s) => s.candidate === candidate)) continue;
        const covered = remaining.filter((demand) => canShip(candidate, demand));
        if (covered.length > (best?.demands.length ?? 0)) best = { candidate, warehouse, demands: covered };
      }
      if (!best) break;
      shipments.push(best);
      const taken = new Set(best.demands);
      remaining = remaining.filter((demand) => !taken.has(demand));
    }
  }
  return { shipments, uncovered: remaining };
}
