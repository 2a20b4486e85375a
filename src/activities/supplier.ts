/** Drop-ship supplier activities: push the supplier's lines and recall them (DS-1). */
import type { CanonicalOrder } from '../domain/order';
import type { DeliveryOutcome } from '../domain/delivery';
import type { ShipmentState } from '../domain/orderView';
import type { ActivityDeps } from './deps';
import { createDeliverer } from './delivery';

/** Builds the supplier activities. */
export function createSupplierActivities(deps: ActivityDeps) {
  const deliver = createDeliverer(deps);
  const { partners } = deps;
  return {
    /** Pushes a shipment's lines and delivery address to its supplier's endpoint. */
    async pushToSupplier(input: { orderId: string; shipment: ShipmentState; order: CanonicalOrder }): Promise<DeliveryOutcome> {
      const { orderId, shipment, order } = input;
      const supplierId = shipment.locationId;
      const supplier = partners.supplier(supplierId);
      const lines = order.lines
        .filter((l) => shipment.lineIds.includes(l.lineId))
        .map(({ lineId, sku, quantity }) => ({ lineId, sku, quantity }));
      const key = `supplier:push:${orderId}:${shipment.shipmentId}`;
      return deliver(
        { key, orderId, partner: { kind: 'supplier', id: supplierId }, kind: 'dropShipOrder' },
        supplier &&
          (() =>
            supplier.post(
              'dropship.order_created',
              { orderId, shipmentId: shipment.shipmentId, lines, address: order.shippingAddress },
              key,
            )),
      );
    },
    /** Recalls a push after a cancellation or a move. */
    async recallSupplierPush(input: { orderId: string; shipmentId: string; supplierId: string }): Promise<DeliveryOutcome> {
      const { orderId, shipmentId, supplierId } = input;
      const supplier = partners.supplier(supplierId);
      const key = `supplier:recall:${orderId}:${shipmentId}`;
      return deliver(
        { key, orderId, partner: { kind: 'supplier', id: supplierId }, kind: 'recallDropShipOrder' },
        supplier && (() => supplier.post('dropship.order_recalled', { orderId, shipmentId }, key)),
      );
    },
  };
}
