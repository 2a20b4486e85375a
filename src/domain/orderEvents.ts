/** Messages that move an order: channel events, reviews, cancellations, address changes, shipment progress. */
import { z } from 'zod';
import { decimalMoneySchema } from './money';
import { addressSchema, canonicalOrderSchema, canonicalOrderWireSchema, codeSchema, moneySchema } from './order';
import { instantSchema } from './primitives';

const eventId = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:@-]+$/, 'letters, digits and _ . : @ - only');
const actorId = z.string().trim().min(1).max(64);

/**
 * A channel's push about an order, as the workflow receives it: a full snapshot (created, paid, updated) or a
 * payment notice. Every amount (the order's, the notice's `amount`) is integer minor units (fen).
 */
export const orderEventSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('snapshot'), eventId, order: canonicalOrderSchema }),
    z.object({
      type: z.literal('paid'),
      eventId,
      channelOrderId: codeSchema,
      paidAt: instantSchema,
      amount: moneySchema.describe('the amount paid, in minor units (fen)'),
    }),
  ])
  .describe('a channel event; every amount is integer minor units (fen)');
/** A channel event as the workflow receives it (minor units). */
export type OrderEvent = z.infer<typeof orderEventSchema>;

/**
 * A channel event as the channel POSTs it (the wire form): amounts are decimals with at most two places (19.99).
 * The intake endpoint parses with this schema, which converts every amount to minor units exactly once; the
 * result is an `OrderEvent` for the workflow, which validates it with `orderEventSchema`.
 */
export const orderEventWireSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot'), eventId, order: canonicalOrderWireSchema }),
  z.object({ type: z.literal('paid'), eventId, channelOrderId: codeSchema, paidAt: instantSchema, amount: decimalMoneySchema }),
]);
/** A channel event as posted, before parsing: decimal amounts. */
export type OrderEventWire = z.input<typeof orderEventWireSchema>;

/** A reviewer's decision on a held order. */
export const holdReviewSchema = z.object({
  decision: z.enum(['approve', 'reject']),
  reviewer: actorId,
  note: z.string().trim().max(500).optional(),
});
/** A hold review. */
export type HoldReview = z.infer<typeof holdReviewSchema>;

/**
 * Operations' answer to a delivery a partner refused for good: try it again (e.g. after fixing the partner's
 * settings), or mark it done by hand (e.g. the tracking number was entered in the channel's back office).
 */
export const deliveryDecisionSchema = z.object({
  key: z.string().trim().min(1).max(300),
  action: z.enum(['retry', 'done']),
  decidedBy: actorId,
  note: z.string().trim().max(500).optional(),
});
/** A decision on a refused delivery. */
export type DeliveryDecision = z.infer<typeof deliveryDecisionSchema>;

/** Operations acknowledge a fired escalation level, or resolve it (lifting the pause and freeze it applied). */
export const escalationAnswerSchema = z.object({
  id: z.string().trim().min(1).max(120),
  action: z.enum(['acknowledge', 'resolve']),
  by: actorId,
  note: z.string().trim().max(500).optional(),
});
/** An answer to an escalation. */
export type EscalationAnswer = z.infer<typeof escalationAnswerSchema>;

/** A cancellation request. */
export const cancelRequestSchema = z.object({
  by: z.enum(['channel', 'buyer', 'operations']),
  actor: actorId,
  reason: z.string().trim().min(1).max(500),
});
/** A cancellation request. */
export type CancelRequest = z.infer<typeof cancelRequestSchema>;

/** An address change after payment (FS-4). */
export const addressChangeSchema = z.object({
  address: addressSchema,
  requestedBy: z.enum(['buyer', 'operations', 'channel']),
  actor: actorId,
});
/** An address change request. */
export type AddressChange = z.infer<typeof addressChangeSchema>;
