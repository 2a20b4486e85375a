/** Drop-ship supplier activities: push the supplier's lines with a notice to its contact, and recall them (DS-1). */
import type { CanonicalOrder } from '../domain/order';
import type { DeliveryOutcome } from '../domain/delivery';
import type { ShipmentState } from '../domain/orderView';
import type { ActivityDeps } from './deps';
import { createDeliverer } from './delivery';
import { createLocations } from './locations';

/** Builds the supplier activities. */
export function createSupplierActivities(deps: ActivityDeps) {
  const deliver = createDeliverer(deps);
  const locations = createLocations(deps);
  const partner = (supplierId: string) => ({ kind: 'supplier' as const, id: supplierId });

  return {
    /**
     * Pushes a shipment's lines and delivery address to the supplier's webhook when it has one, and tells its
     * contact a new order waits (the supplier may work from the API only). Refused when neither is configured: a
     * person must set up the supplier or pass the order on by hand.
     */
    async pushToSupplier(input: { orderId: string; shipment: ShipmentState; order: CanonicalOrder }): Promise<DeliveryOutcome> {
      const { orderId, shipment, order } = input;
      const supplierId = shipment.locationId;
      const { orders, notices } = await locations.supplier(supplierId);
      const lines = order.lines
        .filter((l) => shipment.lineIds.includes(l.lineId))
        .map(({ lineId, sku, quantity }) => ({ lineId, sku, quantity }));
      if (!orders && !notices)
        return {
          delivered: false,
          key: `supplier:push:${orderId}:${shipment.shipmentId}`,
          partner: partner(supplierId),
          reason: `supplier ${supplierId} has no webhook and no notification target`,
        };
      if (orders) {
        const key = `supplier:push:${orderId}:${shipment.shipmentId}`;
        const pushed = await deliver({ key, orderId, partner: partner(supplierId), kind: 'dropShipOrder' }, () =>
          orders.post('dropship.order_created', { orderId, shipmentId: shipment.shipmentId, lines, address: order.shippingAddress }, key),
        );
        if (!pushed.delivered) return pushed;
      }
      if (!notices) return { delivered: true, key: `supplier:push:${orderId}:${shipment.shipmentId}` };
      const key = `supplier:notice:${orderId}:${shipment.shipmentId}`;
      // The notice names the order, not the buyer: the contact reads the details through the supplier API.
      return deliver({ key, orderId, partner: partner(supplierId), kind: 'dropShipNotice' }, () =>
        notices.post('dropship.order_notice', { orderId, shipmentId: shipment.shipmentId, lineCount: lines.length }, key),
      );
    },
    /** Recalls a push after a cancellation or a move (nothing to recall from a supplier working from the API only). */
    async recallSupplierPush(input: { orderId: string; shipmentId: string; supplierId: string }): Promise<DeliveryOutcome> {
      const { orderId, shipmentId, supplierId } = input;
      const key = `supplier:recall:${orderId}:${shipmentId}`;
      const { orders, notices } = await locations.supplier(supplierId);
      const target = orders ?? notices;
      return deliver(
        { key, orderId, partner: partner(supplierId), kind: 'recallDropShipOrder' },
        target && (() => target.post('dropship.order_recalled', { orderId, shipmentId }, key)),
      );
    },
  };
}
