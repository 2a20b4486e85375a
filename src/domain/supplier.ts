/**
 * Drop-ship suppliers (DS-1, DS-2): the profile operations keep for each (contact, where its orders and notices go,
 * payouts), and what a supplier does to its part of an order (accept, reject, ship). Zod schemas are the one
 * definition; the types are inferred.
 */
import { z } from 'zod';
import { instantSchema, reportIdSchema } from './primitives';

const text = (max: number) => z.string().trim().min(1).max(max);

/** Where a supplier's notices go: a signed webhook now (e-mail, SMS and IM arrive with escalation). */
export const notificationTargetSchema = z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('webhook'), url: z.url() })]);
/** A notification target. */
export type NotificationTarget = z.infer<typeof notificationTargetSchema>;

/** A supplier's payouts: frozen by operations (e.g. by escalation), with who, when and why. */
export const payoutStateSchema = z.object({
  frozen: z.boolean(),
  since: z.string().optional(),
  by: z.string().optional(),
  reason: z.string().optional(),
});
/** Payout state. */
export type PayoutState = z.infer<typeof payoutStateSchema>;

/** What operations keep for a supplier besides its keys. */
export const supplierProfileInputSchema = z.strictObject({
  contact: z.strictObject({
    name: text(64),
    email: z.email().max(254).optional(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 -]{6,20}$/, 'a phone number')
      .optional(),
  }),
  /** Where supplier orders (and their recalls and address changes) are pushed; without it the supplier works from the API. */
  webhookUrl: z.url().optional(),
  /** Where the supplier's contact is told of a new order. */
  notify: notificationTargetSchema.optional(),
});
/** A supplier profile as operations write it. */
export type SupplierProfileInput = z.infer<typeof supplierProfileInputSchema>;

/** A supplier's profile as the hub reads it. */
export const supplierProfileSchema = supplierProfileInputSchema.extend({
  supplierId: z.string(),
  name: z.string(),
  payout: payoutStateSchema,
});
/** A supplier's profile. */
export type SupplierProfile = z.infer<typeof supplierProfileSchema>;

const lineIdSchema = text(64);
const base = { supplierId: text(32), at: instantSchema, reportId: reportIdSchema.optional() };

/**
 * What a supplier does to its part of an order: accept it, reject it (its lines are routed elsewhere, or the order is
 * held with the reason), or ship lines of it (partial shipments allowed: each report is a parcel).
 */
export const supplierActionSchema = z.discriminatedUnion('action', [
  z.object({ ...base, action: z.literal('accept') }),
  z.object({ ...base, action: z.literal('reject'), reason: text(500) }),
  z.object({
    ...base,
    action: z.literal('ship'),
    carrier: text(32),
    trackingNumber: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{4,40}$/, 'a tracking number'),
    lineIds: z.array(lineIdSchema).min(1).max(200),
  }),
]);
/** A supplier action. */
export type SupplierAction = z.infer<typeof supplierActionSchema>;
