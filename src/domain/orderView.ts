/**
 * The state an order workflow owns and shows: its query result, the read model's body and the API's answer.
 * These zod schemas are the one definition; the types are inferred from them.
 */
import { z } from 'zod';
import { canonicalOrderSchema } from './order';
import { returnLineRequestSchema, returnOutcomeSchema, returnStatusSchema } from './returns';
import { actorSchema } from './primitives';
import { shipmentStepSchema } from './shipmentReports';
import { routingDecisionSchema } from './routing/decision';
import { plannedShipmentSchema } from './shipment';
import { holdReasonSchema, orderStatusSchema } from './status';

/** A named reason an order waits for a person, with the rule that placed it (Shopify-style holds). */
export const holdSchema = z.object({ reason: holdReasonSchema, ruleId: z.string(), detail: z.string() });
/** A hold. */
export type Hold = z.infer<typeof holdSchema>;

/** Where a shipment stands: planned by routing, dispatched to its location, the reported steps, or rejected by its supplier. */
export const shipmentStateStepSchema = z.enum(['planned', 'dispatched', ...shipmentStepSchema.options, 'rejected']);
/** A shipment's step. */
export type ShipmentStateStep = z.infer<typeof shipmentStateStepSchema>;

/** A planned shipment as it progresses; `shipmentId` is unique within the order. */
export const shipmentStateSchema = plannedShipmentSchema.extend({
  shipmentId: z.string(),
  step: shipmentStateStepSchema,
  trackingNumber: z.string().optional(),
  carrier: z.string().optional(),
  shippedAt: z.string().optional(),
  deliveredAt: z.string().optional(),
  writtenBack: z.boolean(),
  /** Why and when its supplier rejected it (DS-2); `settled` once its lines were routed elsewhere. */
  rejection: z.object({ reason: z.string(), at: z.string(), settled: z.boolean() }).optional(),
  /** When its current step began, and its last change (dispatch or a report), in workflow time: what escalation watches. */
  since: z.string().optional(),
  lastChangeAt: z.string().optional(),
});
/** A shipment of the order. */
export type ShipmentState = z.infer<typeof shipmentStateSchema>;

/**
 * What a warehouse, supplier or carrier is told after reporting on a parcel: that parcel as the order now holds it and
 * nothing of other parties' parcels (the whole order would show them another warehouse's work and the buyer's data).
 */
export const shipmentReceiptSchema = shipmentStateSchema
  .pick({ shipmentId: true, step: true, trackingNumber: true, carrier: true, shippedAt: true, deliveredAt: true, writtenBack: true })
  .extend({ orderId: z.string() });
/** A shipment report's answer. */
export type ShipmentReceipt = z.infer<typeof shipmentReceiptSchema>;

/** One reservation ledger key held by the order (INV-1, INV-3). */
export const reservationStateSchema = z.object({
  key: z.string(),
  lineId: z.string(),
  sku: z.string(),
  warehouseId: z.string(),
  quantity: z.number().int(),
  state: z.enum(['reserved', 'released', 'committed']),
});
/** A reservation of the order. */
export type ReservationState = z.infer<typeof reservationStateSchema>;

/** What the order is waiting for, since when, and who must act (the Web UI's current details). */
export const waitingSchema = z.object({ for: z.string(), since: z.string(), who: z.string() });
/** What the order waits for. */
export type Waiting = z.infer<typeof waitingSchema>;

/** The policy an order runs under, as recorded when it was received. */
export const appliedPolicySchema = z.object({
  lockStrategy: z.string(),
  paymentTimeoutSeconds: z.number(),
  returnWindowSeconds: z.number(),
  outOfStockAction: z.string(),
  appliedOverrides: z.array(z.string()),
  /** Seconds after a parcel ships before an unconfirmed write-back alerts (FS-2); recorded from the third design on. */
  writeBackAlertSeconds: z.number().optional(),
});

/**
 * Something a person must look at besides a hold: a partner refused a message for good, or a parcel's write-back is
 * not confirmed in time (FS-2). `key` is the delivery's idempotency key, by which operations answer a refusal.
 */
export const attentionSchema = z.object({
  kind: z.enum(['DELIVERY_REFUSED', 'WRITE_BACK_LATE', 'ESCALATION']),
  key: z.string(),
  partner: z.string(),
  reason: z.string(),
  since: z.string(),
  /** For an escalation's pin: its reason code (STUCK_MANUAL_REVIEW, WRITE_BACK_LATE, TRACKING_SILENT), shown as HoldReason. */
  code: z.string().optional(),
});
/** An item needing attention. */
export type Attention = z.infer<typeof attentionSchema>;

/** A person's answer to an escalation: who, when, and what they said. */
const escalationAnswerSchema = z.object({ by: z.string(), at: z.string(), note: z.string().optional() });

/**
 * An escalation level that fired (ES-1…ES-5b, FS-2, FS-3) on the order (`subject` "order") or one shipment: when,
 * under which policy version, whom it told and what it did; acknowledged and resolved by a person.
 */
export const escalationEntrySchema = z.object({
  id: z.string(),
  level: z.string(),
  subject: z.string(),
  location: z.object({ kind: z.enum(['warehouse', 'supplier']), id: z.string() }).optional(),
  stage: z.string(),
  /** The instant the late wait counted from. */
  since: z.string(),
  firedAt: z.string(),
  policyVersion: z.number().int(),
  notified: z.array(z.string()),
  /** What the level did beyond telling: "dispatch paused", "payouts frozen", "pinned". */
  actions: z.array(z.string()),
  acknowledged: escalationAnswerSchema.optional(),
  resolved: escalationAnswerSchema.optional(),
});
/** A fired escalation level. */
export type EscalationEntry = z.infer<typeof escalationEntrySchema>;

/**
 * A return of the order as the order knows it: its return workflow owns the rest (RF-1…RF-4). Returns recorded before
 * returns were workflows have `lineIds` and no RMA or status.
 */
export const orderReturnSchema = z.object({
  returnId: z.string(),
  reason: z.string(),
  at: z.string(),
  rma: z.string().optional(),
  status: returnStatusSchema.optional(),
  outcome: returnOutcomeSchema.optional(),
  lines: z.array(returnLineRequestSchema).optional(),
  lineIds: z.array(z.string()).optional(),
  /** What was refunded, once settled (minor units). */
  refundedMinor: z.number().int().optional(),
});
/** A return as its order knows it. */
export type OrderReturn = z.infer<typeof orderReturnSchema>;

/** The full state of one order. */
export const orderViewSchema = z.object({
  orderId: z.string(),
  workflowId: z.string(),
  status: orderStatusSchema,
  order: canonicalOrderSchema,
  holds: z.array(holdSchema),
  /** Open items for a person (third design on; absent on older orders). */
  attention: z.array(attentionSchema).optional(),
  /** Escalation levels that fired (fourth design on). */
  escalations: z.array(escalationEntrySchema).optional(),
  policy: appliedPolicySchema.optional(),
  /** Why the order ships from where it does (RT-6). */
  routing: z.object({ summary: z.string(), decision: routingDecisionSchema }).optional(),
  shipments: z.array(shipmentStateSchema),
  reservations: z.array(reservationStateSchema),
  waiting: waitingSchema,
  cancellation: z.object({ by: z.string(), actor: z.string(), reason: z.string(), at: z.string() }).optional(),
  returns: z.array(orderReturnSchema),
  timeline: z.array(z.object({ at: z.string(), status: orderStatusSchema, note: z.string() })),
  version: z.number().int(),
});
/** An order's state. */
export type OrderView = z.infer<typeof orderViewSchema>;

/** One change the workflow hands to the audit trail (OP-2): who, what, before and after. */
export const auditChangeSchema = z.object({
  actor: actorSchema,
  action: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  detail: z.string().optional(),
});
/** An audit change. */
export type AuditChange = z.infer<typeof auditChangeSchema>;

/** One stored entry of an order's audit trail, numbered and timed. */
export const auditEntrySchema = auditChangeSchema.extend({
  seq: z.number().int(),
  at: z.string(),
  /** The OpenTelemetry trace the entry was written in (the request that led to it), when tracing is on. */
  traceId: z.string().optional(),
});
/** An audit entry. */
export type AuditEntry = z.infer<typeof auditEntrySchema>;
