/**
 * Deliveries: every message to a partner (WMS, carrier, channel, supplier, payment provider, operations), as the
 * deliveries log keeps it. "Delivered" means the partner acknowledged it; a row alone proves nothing.
 */
import { z } from 'zod';

/** The kinds of partner the hub delivers to. */
export const partnerKindSchema = z.enum(['channel', 'wms', 'carrier', 'supplier', 'payment', 'operations', 'notification']);
/** A partner kind. */
export type PartnerKind = z.infer<typeof partnerKindSchema>;

/** A partner: its kind and id (channel, warehouse id, carrier code, supplier id, or "operations"). */
export const partnerRefSchema = z.object({ kind: partnerKindSchema, id: z.string() });
/** A partner reference. */
export type PartnerRef = z.infer<typeof partnerRefSchema>;

/** Where a delivery stands: still being tried, acknowledged by the partner, or refused for good (a person decides). */
export const deliveryStateSchema = z.enum(['pending', 'delivered', 'failed-permanently']);
/** A delivery state. */
export type DeliveryState = z.infer<typeof deliveryStateSchema>;

/** One message in the deliveries log, under its idempotency key. */
export const deliveryRecordSchema = z.object({
  key: z.string(),
  orderId: z.string().optional(),
  partner: partnerRefSchema,
  /** What the message is, e.g. pickList, shipmentWriteBack, refund. */
  kind: z.string(),
  state: deliveryStateSchema,
  /** Calls made to the partner so far. */
  attempts: z.number().int().nonnegative(),
  createdAt: z.string(),
  lastAttemptAt: z.string().optional(),
  deliveredAt: z.string().optional(),
  /** The partner's last answer: HTTP status (none on a timeout), the start of its body, and our reading of it. */
  lastResponse: z.object({ status: z.number().int().optional(), excerpt: z.string(), reason: z.string().optional() }).optional(),
  /** The partner's id for what it did (fulfilment id, waybill number…). */
  reference: z.string().optional(),
});
/** A deliveries log entry. */
export type DeliveryRecord = z.infer<typeof deliveryRecordSchema>;

/** What the workflow learns from a delivery: acknowledged, or refused for good with the partner's reason. */
export type DeliveryOutcome =
  { delivered: true; key: string; reference?: string } | { delivered: false; key: string; partner: PartnerRef; reason: string };
