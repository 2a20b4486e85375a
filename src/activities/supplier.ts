/** Drop-ship supplier activities: push the supplier's lines and recall them (DS-1). */
import type { CanonicalOrder } from '../domain/order';
import type { ShipmentState } from '../domain/orderView';
import type { ActivityDeps } from './deps';
import { createSender } from './outbox';

/** Builds the supplier activities. */
export function createSupplierActivities(deps: ActivityDeps) {
  const send = createSender(deps);
  return {
    /** Pushes a shipment's lines to its supplier, with a notification. */
    async pushToSupplier(input: { orderId: string; shipment: ShipmentState; order: CanonicalOrder }): Promise<void> {
      const { orderId, shipment, order } = input;
      const lines = order.lines
        .filter((l) => shipment.lineIds.includes(l.lineId))
        .map(({ lineId, sku, quantity }) => ({ lineId, sku, quantity }));
      await send({
        key: `supplier:push:${orderId}:${shipment.shipmentId}`,
        target: 'supplier',
        kind: 'dropShipOrder',
        orderId,
        recipient: shipment.locationId,
        payload: { shipmentId: shipment.shipmentId, lines, address: order.shippingAddress },
      });
      await send({
        key: `notify:supplier:${orderId}:${shipment.shipmentId}`,
        target: 'notification',
        kind: 'supplierNewOrder',
        orderId,
        recipient: shipment.locationId,
        payload: { shipmentId: shipment.shipmentId },
      });
    },
    /** Recalls a push after a cancellation or a move. */
    async recallSupplierPush(input: { orderId: string; shipmentId: string; supplierId: string }): Promise<void> {
      await send({
        key: `supplier:recall:${input.orderId}:${input.shipmentId}`,
        target: 'supplier',
        kind: 'recallDropShipOrder',
        orderId: input.orderId,
        recipient: input.supplierId,
        payload: { shipmentId: input.shipmentId },
      });
    },
  };
}
