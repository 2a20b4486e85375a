/** Warehouse (WMS) activities: e-waybill and pick list out, withdrawals and address changes (FS-1, FS-4). */
import type { Address, CanonicalOrder } from '../domain/order';
import type { DeliveryOutcome } from '../domain/delivery';
import type { ShipmentState } from '../domain/orderView';
import type { Warehouse } from '../domain/routing/warehouses';
import type { ActivityDeps } from './deps';
import { createDeliverer } from './delivery';
import { createLocations } from './locations';
import type { PickLine } from './partners/types';

/** A pick list's delivery, with the e-waybill the carrier issued for the parcel. */
export type DispatchOutcome = DeliveryOutcome & { waybill?: { carrier: string; trackingNumber: string } };

/** The shipment's lines in the warehouse's walking order: by pick zone as configured, then SKU; unzoned lines last. */
export function pickOrder(lines: Array<Omit<PickLine, 'zone'>>, warehouse: Pick<Warehouse, 'pickZones'> | undefined): PickLine[] {
  const zones = warehouse?.pickZones ?? [];
  const zoneOf = (sku: string) => zones.findIndex((z) => z.skuPrefixes.some((prefix) => sku.startsWith(prefix)));
  return lines
    .map((line) => ({ line, rank: zoneOf(line.sku) }))
    .sort((a, b) => (a.rank < 0 ? 1e9 : a.rank) - (b.rank < 0 ? 1e9 : b.rank) || a.line.sku.localeCompare(b.line.sku))
    .map(({ line, rank }) => (rank < 0 ? line : { ...line, zone: zones[rank]!.zone }));
}

/** Builds the warehouse activities. */
export function createWarehouseActivities(deps: ActivityDeps) {
  const deliver = createDeliverer(deps);
  const { partners } = deps;
  const locations = createLocations(deps);
  const wmsOf = (warehouse: Warehouse | undefined) => (warehouse?.wms ? partners.wms(warehouse.wms) : undefined);

  return {
    /**
     * Sends a shipment to its warehouse: first the e-waybill from the warehouse's carrier, then the pick list, in
     * zone order, carrying the waybill. A retry after the waybill was issued finds it in the deliveries log.
     */
    async dispatchToWarehouse(input: { orderId: string; shipment: ShipmentState; order: CanonicalOrder }): Promise<DispatchOutcome> {
      const { orderId, shipment, order } = input;
      const warehouseId = shipment.locationId;
      const warehouse = await locations.warehouse(warehouseId);
      const lines = order.lines
        .filter((l) => shipment.lineIds.includes(l.lineId))
        .map(({ lineId, sku, quantity }) => ({ lineId, sku, quantity }));
      let waybill: DispatchOutcome['waybill'];
      if (warehouse?.carrier) {
        const carrierCode = warehouse.carrier;
        const carrier = partners.carrier(carrierCode);
        const key = `carrier:waybill:${orderId}:${shipment.shipmentId}`;
        const issued = await deliver(
          { key, orderId, partner: { kind: 'carrier', id: carrierCode }, kind: 'waybill' },
          carrier &&
            (() =>
              carrier.requestWaybill(
                { orderId, shipmentId: shipment.shipmentId, warehouseId, recipient: order.shippingAddress, lines },
                key,
              )),
        );
        if (!issued.delivered) return issued;
        if (issued.reference) waybill = { carrier: carrierCode, trackingNumber: issued.reference };
      }
      const wms = wmsOf(warehouse);
      const key = `wms:pickList:${orderId}:${shipment.shipmentId}`;
      const pickList = {
        orderId,
        shipmentId: shipment.shipmentId,
        warehouseId,
        lines: pickOrder(lines, warehouse),
        address: order.shippingAddress,
        waybill,
      };
      const sent = await deliver(
        { key, orderId, partner: { kind: 'wms', id: warehouseId }, kind: 'pickList' },
        wms && (() => wms.sendPickList(pickList, key)),
      );
      return { ...sent, waybill };
    },

    /** Withdraws a pick list (cancellation or move). */
    async cancelWarehouseDispatch(input: { orderId: string; shipmentId: string; warehouseId: string }): Promise<DeliveryOutcome> {
      const { orderId, shipmentId, warehouseId } = input;
      const wms = wmsOf(await locations.warehouse(warehouseId));
      const key = `wms:withdraw:${orderId}:${shipmentId}`;
      return deliver(
        { key, orderId, partner: { kind: 'wms', id: warehouseId }, kind: 'withdrawPickList' },
        wms && (() => wms.withdrawPickList({ orderId, shipmentId, warehouseId, reason: 'order cancelled or moved' }, key)),
      );
    },

    /**
     * Tells the warehouse or supplier holding a shipment about a new delivery address, once per change: keyed by the
     * change, not the address, so a change back to an earlier address still arrives and no personal data is in a key.
     */
    async updateShipmentAddress(input: {
      orderId: string;
      shipment: ShipmentState;
      address: Address;
      changeId: string;
    }): Promise<DeliveryOutcome> {
      const { orderId, shipment, address, changeId } = input;
      const { shipmentId, locationId } = shipment;
      const key = `${shipment.kind}:address:${orderId}:${shipmentId}:${changeId}`;
      if (shipment.kind === 'supplier') {
        const supplier = (await locations.supplier(locationId)).orders;
        return deliver(
          { key, orderId, partner: { kind: 'supplier', id: locationId }, kind: 'addressChange' },
          supplier && (() => supplier.post('dropship.address_changed', { orderId, shipmentId, address }, key)),
        );
      }
      const wms = wmsOf(await locations.warehouse(locationId));
      return deliver(
        { key, orderId, partner: { kind: 'wms', id: locationId }, kind: 'addressChange' },
        wms && (() => wms.sendAddressChange({ orderId, shipmentId, warehouseId: locationId, address }, key)),
      );
    },
  };
}
