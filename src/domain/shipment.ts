/** One shipment shape for routing, the workflow and the API: where a share of the order's lines ships from. */
import { z } from 'zod';

/** Who ships a parcel: a warehouse of the network or a drop-ship supplier. */
export const shipmentKindSchema = z.enum(['warehouse', 'supplier']);
/** A shipment's kind. */
export type ShipmentKind = z.infer<typeof shipmentKindSchema>;

/** A shipment as routing plans it: its location (warehouse or supplier id), lines and delivery promise (RT-5). */
export const plannedShipmentSchema = z.object({
  kind: shipmentKindSchema,
  /** The warehouse id or the supplier id. */
  locationId: z.string(),
  lineIds: z.array(z.string()).min(1),
  /** Days promised to the customer; null when a supplier has no known lead time. */
  promisedDeliveryDays: z.number().int().nullable(),
});
/** A planned shipment. */
export type PlannedShipment = z.infer<typeof plannedShipmentSchema>;
