/** Routing activities: choose where each line ships from (RT-1…RT-6) and check delivery areas (FS-4). */
import type { Address, CanonicalOrder } from '../domain/order';
import type { RoutingDecision } from '../domain/routing/decision';
import { regionOfProvince } from '../domain/routing/regions';
import { routeOrder } from '../domain/routing/route';
import type { PlannedShipment } from '../domain/shipment';
import type { ActivityDeps } from './deps';

/** What the workflow needs from a routing decision; the full decision is kept for the explanation (RT-6). */
export interface RouteResult {
  shipments: PlannedShipment[];
  unroutable: Array<{ lineId: string; reason: string }>;
  summary: string;
  decision: RoutingDecision;
}

/** Builds the routing activities. */
export function createRoutingActivities({ stores }: ActivityDeps) {
  return {
    /**
     * Routes an order with the rules, network and stock of this moment; the result is recorded in history. With
     * `lineIds` only those lines are routed, and `excludedSuppliers` are not asked (lines a supplier rejected, DS-2).
     */
    async routeOrder(input: {
      orderId: string;
      order: CanonicalOrder;
      lineIds?: string[];
      excludedSuppliers?: string[];
    }): Promise<RouteResult> {
      const { lineIds, excludedSuppliers = [] } = input;
      const order = lineIds ? { ...input.order, lines: input.order.lines.filter((l) => lineIds.includes(l.lineId)) } : input.order;
      const context = await stores.routingContext.load(order);
      const decision = routeOrder(order, { ...context, excludedSuppliers: [...context.excludedSuppliers, ...excludedSuppliers] });
      return {
        shipments: decision.shipments,
        unroutable: decision.unroutable.map((u) => ({ lineId: u.lineId, reason: `${u.reason}: ${u.detail}` })),
        summary: decision.explanation.summary,
        decision,
      };
    },

    /** Orders holding stock at a warehouse that has not yet shipped them, for an outage re-route (RT-4). */
    async findOrdersToReroute(input: { warehouseId: string }): Promise<string[]> {
      return stores.orders.ordersHeldAt(input.warehouseId);
    },

    /** True when the address lies in a region some enabled warehouse delivers to. */
    async checkDeliveryArea(input: { address: Address }): Promise<{ deliverable: boolean; reason?: string }> {
      const region = regionOfProvince(input.address.province);
      if (!region) return { deliverable: false, reason: `province ${input.address.province} is not in the delivery area` };
      const network = (await stores.network.latest()).body;
      const enabled = new Set(network.warehouses.filter((w) => w.enabled).map((w) => w.id));
      const serving = [...(network.regionPriority.byRegion[region] ?? []), ...network.regionPriority.fallback].some((id) =>
        enabled.has(id),
      );
      return serving ? { deliverable: true } : { deliverable: false, reason: `no enabled warehouse delivers to ${region}` };
    },
  };
}
