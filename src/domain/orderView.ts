/** The state an order workflow owns and shows: its query result and the read model's body. */
import type { CanonicalOrder } from './order';
import type { Actor, ReturnRequest, ShipmentStep } from './orderEvents';
import type { HoldReason, OrderStatus } from './status';

/** A named reason an order waits for review, with the rule that placed it. */
export interface Hold {
  reason: HoldReason;
  ruleId: string;
  detail: string;
}

/** One planned shipment: a warehouse's or a supplier's share of the order's lines. */
export interface PlannedShipment {
  shipmentId: string;
  kind: 'warehouse' | 'supplier';
  /** The warehouse id or the supplier id. */
  locationId: string;
  lineIds: string[];
  promisedDeliveryDays?: number;
}

/** A planned shipment as it progresses. */
export interface ShipmentState extends PlannedShipment {
  step: 'planned' | 'dispatched' | ShipmentStep;
  trackingNumber?: string;
  carrier?: string;
  shippedAt?: string;
  deliveredAt?: string;
  writtenBack: boolean;
}

/** One reservation ledger key held by the order. */
export interface ReservationState {
  key: string;
  lineId: string;
  sku: string;
  warehouseId: string;
  quantity: number;
  state: 'reserved' | 'released' | 'committed';
}

/** What the order is waiting for, since when, and who must act (the Web UI's current details). */
export interface Waiting {
  for: string;
  since: string;
  who: string;
}

/** The full state of one order. */
export interface OrderView {
  orderId: string;
  workflowId: string;
  status: OrderStatus;
  order: CanonicalOrder;
  holds: Hold[];
  policy?: { lockStrategy: string; paymentTimeoutSeconds: number; returnWindowSeconds: number; outOfStockAction: string; appliedOverrides: string[] };
  routing?: { summary: string; decision: unknown };
  shipments: ShipmentState[];
  reservations: ReservationState[];
  waiting: Waiting;
  cancellation?: { by: string; actor: string; reason: string; at: string };
  returns: Array<ReturnRequest & { at: string }>;
  timeline: Array<{ at: string; status: OrderStatus; note: string }>;
  version: number;
}

/** One audit entry the workflow hands to the recording activity (OP-2). */
export interface AuditEntry {
  actor: Actor;
  action: string;
  before?: unknown;
  after?: unknown;
  detail?: string;
}
