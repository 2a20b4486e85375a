/** One allocation round of an order: the shipments a routing decision plans and the reservation keys of their lines. */
import { reservationKeyOf } from './ids';
import type { CanonicalOrder } from './order';
import type { ReservationState, ShipmentState } from './orderView';
import type { PlannedShipment } from './shipment';

/** The shipments and reservations of an allocation round: what the order holds once the reservation succeeded. */
export interface AllocationPlan {
  shipments: ShipmentState[];
  reservations: ReservationState[];
}

/**
 * Numbers a routing decision's shipments and keys its warehouse lines by the round. The workflow builds it, and from the
 * seventh design the step that routes and reserves in one call builds the same.
 */
export function planAllocation(orderId: string, order: CanonicalOrder, round: number, planned: PlannedShipment[]): AllocationPlan {
  const shipments: ShipmentState[] = planned.map((s, index) => ({
    ...s,
    shipmentId: `S${round}-${index + 1}`,
    step: 'planned',
    writtenBack: false,
  }));
  const reservations = shipments
    .filter((s) => s.kind === 'warehouse')
    .flatMap((s) =>
      s.lineIds.map((lineId): ReservationState => {
        const line = order.lines.find((l) => l.lineId === lineId)!;
        return {
          key: reservationKeyOf(orderId, round, lineId, s.locationId),
          lineId,
          sku: line.sku,
          warehouseId: s.locationId,
          quantity: line.quantity,
          state: 'reserved',
        };
      }),
    );
  return { shipments, reservations };
}
