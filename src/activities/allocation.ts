/** The seventh design's allocation: routing and the pre-lock of the planned lines (INV-1) in one step. */
import { planAllocation } from '../domain/allocation';
import { reservationKeyOf } from '../domain/ids';
import type { CanonicalOrder } from '../domain/order';
import { attemptNumber } from './delivery';
import type { ActivityDeps } from './deps';
import { createInventoryActivities, type Shortage } from './inventory';
import { createRoutingActivities, type RouteResult } from './routing';

/**
 * A routing decision and, when every line found a route, whether its warehouse lines were reserved; or, on a retry, the
 * round undone.
 */
export type AllocationResult =
  | { route: RouteResult; reserved?: { ok: true } | { ok: false; shortages: Shortage[] } }
  /** A retry released whatever the round's keys held: the workflow plans a new round. */
  | { undone: true };

/** Builds the allocation activity over the routing and inventory ones. */
export function createAllocationActivities(deps: ActivityDeps) {
  const { routeOrder } = createRoutingActivities(deps);
  const { reserveStock } = createInventoryActivities(deps);
  const { ledger, network } = deps.stores;
  return {
    /**
     * Routes the order and reserves the warehouse lines of allocation round `round`, all or nothing: one local activity
     * where there were two, the reservation starting from the stock heads routing has just read. Nothing is reserved
     * when a line finds no route.
     */
    async allocateStock(input: {
      orderId: string;
      order: CanonicalOrder;
      round: number;
      excludedSuppliers?: string[];
    }): Promise<AllocationResult> {
      const { orderId, order, round, excludedSuppliers } = input;
      // An earlier attempt may have reserved part of the round before it failed (or may still be running), and routing
      // again may pick other warehouses: every key the round could use is released (a tombstone where it held nothing,
      // so a late reservation under it is refused) and the workflow plans the next round.
      if (attemptNumber() > 1) {
        const warehouses = (await network.latest()).body.warehouses.map((w) => w.id);
        for (const line of order.lines)
          for (const warehouseId of warehouses)
            await ledger.release(line.sku, warehouseId, reservationKeyOf(orderId, round, line.lineId, warehouseId), {
              orderId,
              note: 'allocation retried: the round is planned again',
            });
        return { undone: true };
      }
      const route = await routeOrder({ orderId, order, ...(excludedSuppliers ? { excludedSuppliers } : {}) });
      if (route.unroutable.length > 0) return { route };
      const { reservations } = planAllocation(orderId, order, round, route.shipments);
      return { route, reserved: await reserveStock({ orderId, allocations: reservations }) };
    },
  };
}
