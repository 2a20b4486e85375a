/** Warehouse (WMS) activities: pick lists out, cancellations and address changes (FS-1, FS-4). */
import type { CanonicalOrder } from '../domain/order';
import type { ShipmentState } from '../domain/orderView';
import type { Address } from '../domain/order';
import type { ActivityDeps } from './deps';
import { createSender } from './outbox';

/** Builds the warehouse activities. */
export function createWarehouseActivities(deps: ActivityDeps) {
  const send = createSender(deps);
  return {
    /** Sends a shipment's pick list to its warehouse's WMS. */
    async dispatchToWarehouse(input: { orderId: string; shipment: ShipmentState; order: CanonicalOrder }): Promise<void> {
      const { orderId, shipment, order } = input;
      const lines = order.lines
        .filter((l) => shipment.lineIds.includes(l.lineId))
        .map(({ lineId, sku, quantity }) => ({ lineId, sku, quantity }));
      await send({
        key: `wms:dispatch:${orderId}:${shipment.shipmentId}`,
        target: 'wms',
        kind: 'pickList',
        orderId,
        recipient: shipment.locationId,
        payload: {
          shipmentId: shipment.shipmentId,
          lines: lines.sort((a, b) => a.sku.localeCompare(b.sku)),
          address: order.shippingAddress,
        },
      });
    },
    /** Withdraws a pick list (cancellation or move). */
    async cancelWarehouseDispatch(input: { orderId: string; shipmentId: string; warehouseId: string }): Promise<void> {
      await send({
        key: `wms:cancel:${input.orderId}:${input.shipmentId}`,
        target: 'wms',
        kind: 'cancelPickList',
        orderId: input.orderId,
        recipient: input.warehouseId,
        payload: { shipmentId: input.shipmentId },
      });
    },
    /**
     * Tells the warehouse or supplier holding a shipment about a new delivery address, once per change: keyed by the
     * change, not the address, so a change back to an earlier address still arrives and no personal data is in a key.
     */
    async updateShipmentAddress(input: { orderId: string; shipment: ShipmentState; address: Address; changeId: string }): Promise<void> {
      const { orderId, shipment, address, changeId } = input;
      await send({
        key: `${shipment.kind}:address:${orderId}:${shipment.shipmentId}:${changeId}`,
        target: shipment.kind === 'supplier' ? 'supplier' : 'wms',
        kind: 'addressChange',
        orderId,
        recipient: shipment.locationId,
        payload: { shipmentId: shipment.shipmentId, address },
      });
    },
  };
}
