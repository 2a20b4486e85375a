/**
 * An order as a drop-ship supplier sees it (DS-1, DS-2): only its own lines and shipments, with the address to ship
 * to. No prices, and nothing of other suppliers' or warehouses' parcels: a supplier is a third party.
 */
import { z } from 'zod';
import { addressSchema } from './order';
import { shipmentStateSchema, type OrderView } from './orderView';
import { orderStatusSchema } from './status';

/** One of the supplier's lines: what to send and how many, never what it sold for. */
export const supplierLineSchema = z.object({ lineId: z.string(), sku: z.string(), quantity: z.number().int() });

/** One of the supplier's shipments: where it stands and, once shipped, the parcel's carrier and tracking number. */
export const supplierShipmentSchema = shipmentStateSchema.pick({
  shipmentId: true,
  step: true,
  lineIds: true,
  carrier: true,
  trackingNumber: true,
  shippedAt: true,
});

/** The supplier's part of an order. */
export const supplierOrderViewSchema = z.object({
  orderId: z.string(),
  status: orderStatusSchema,
  orderedAt: z.string(),
  shippingAddress: addressSchema,
  lines: z.array(supplierLineSchema).describe("the supplier's lines, shipped and rejected ones included"),
  shipments: z.array(supplierShipmentSchema),
});
/** A supplier's part of an order. */
export type SupplierOrderView = z.infer<typeof supplierOrderViewSchema>;

/** The supplier's part of the order, or undefined when none of the order's shipments is the supplier's. */
export function supplierViewOf(view: OrderView, supplierId: string): SupplierOrderView | undefined {
  const own = view.shipments.filter((s) => s.kind === 'supplier' && s.locationId === supplierId);
  if (own.length === 0) return undefined;
  // Lines come from the supplier's shipments, not from routing: a rejected or split-off shipment still names its lines.
  const lineIds = new Set(own.flatMap((s) => s.lineIds));
  return {
    orderId: view.orderId,
    status: view.status,
    orderedAt: view.order.createdAt,
    shippingAddress: view.order.shippingAddress,
    lines: view.order.lines.filter((l) => lineIds.has(l.lineId)).map(({ lineId, sku, quantity }) => ({ lineId, sku, quantity })),
    shipments: own.map(({ shipmentId, step, lineIds: ids, carrier, trackingNumber, shippedAt }) => ({
      shipmentId,
      step,
      lineIds: ids,
      ...(carrier ? { carrier } : {}),
      ...(trackingNumber ? { trackingNumber } : {}),
      ...(shippedAt ? { shippedAt } : {}),
    })),
  };
}
