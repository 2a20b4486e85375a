/** The routing decision and its explanation (RT-5, RT-6): plain JSON, recorded with the order. */
import { z } from 'zod';
import { instantSchema } from '../primitives';
import { regionSchema } from './regions';
import { plannedShipmentSchema } from '../shipment';
import { flagColorSchema, routingQueueSchema, warehouseIdSchema } from './rules';

/** Why a candidate warehouse could not take the order at all. */
export const exclusionReasonSchema = z.enum(['EXCLUDED_BY_RULE', 'UNKNOWN_WAREHOUSE', 'DISABLED', 'PAUSED', 'OVER_CAPACITY']);
/** A reason a candidate was out of the running. */
export type ExclusionReason = z.infer<typeof exclusionReasonSchema>;
/** Why routing moved past a warehouse: an exclusion or a stock problem. */
export const fallbackReasonSchema = z.enum([...exclusionReasonSchema.options, 'OUT_OF_STOCK', 'BELOW_SAFETY_THRESHOLD']);
/** A fallback reason. */
export type FallbackReason = z.infer<typeof fallbackReasonSchema>;

/** Where a candidate came from, in the order candidates are tried. */
export const candidateSourceSchema = z.enum(['required', 'preferred', 'region', 'fallback', 'temporary']);
/** A candidate's source. */
export type CandidateSource = z.infer<typeof candidateSourceSchema>;

/** Stock of one SKU as routing saw it in one candidate warehouse. */
export const stockSeenSchema = z.object({
  sku: z.string(),
  quantity: z.number().int(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int(),
  safetyThreshold: z.number(),
  /** Available after this order would ship; below `safetyThreshold` demotes the warehouse (INV-4). */
  remainingAfter: z.number().int(),
  verdict: z.enum(['OK', 'BELOW_SAFETY_THRESHOLD', 'OUT_OF_STOCK']),
});
/** Stock of one SKU in one candidate. */
export type StockSeen = z.infer<typeof stockSeenSchema>;

/** A warehouse routing considered, with what it found there. */
export const candidateSeenSchema = z.object({
  warehouseId: warehouseIdSchema,
  source: candidateSourceSchema,
  /** The rule that put the warehouse on the list, for `required` and `preferred`. */
  ruleId: z.string().optional(),
  status: z.union([z.enum(['AVAILABLE', 'DEMOTED']), exclusionReasonSchema]),
  stock: z.array(stockSeenSchema),
});
/** A candidate as recorded. */
export type CandidateSeen = z.infer<typeof candidateSeenSchema>;

/** One step away from a better-ranked warehouse; `to` is null when nothing further could ship. */
export const fallbackSchema = z.object({
  from: warehouseIdSchema,
  to: warehouseIdSchema.nullable(),
  reason: fallbackReasonSchema,
  sku: z.string().optional(),
});
/** A fallback taken. */
export type Fallback = z.infer<typeof fallbackSchema>;

/** Why a line could not be routed; the order is then held (NO_ROUTE / OUT_OF_STOCK), not dropped. */
export const unroutableReasonSchema = z.enum(['NO_CANDIDATE_WAREHOUSE', 'OUT_OF_STOCK', 'REQUIRED_WAREHOUSE_UNAVAILABLE']);
/** A line routing could not place. */
export const unroutableLineSchema = z.object({ lineId: z.string(), sku: z.string(), reason: unroutableReasonSchema, detail: z.string() });
/** An unroutable line. */
export type UnroutableLine = z.infer<typeof unroutableLineSchema>;

/** A flag raised by a rule, e.g. red "quick response". */
export const routingFlagSchema = z.object({ color: flagColorSchema, note: z.string(), ruleId: z.string() });
/** A raised flag. */
export type RoutingFlag = z.infer<typeof routingFlagSchema>;

/** Why the order went where it went, so support can answer "why Hefei?" (RT-6). */
export const routingExplanationSchema = z.object({
  ruleSet: z.object({ id: z.string(), version: z.number().int() }),
  matchedRules: z.array(z.object({ id: z.string(), name: z.string(), priority: z.number().int() })),
  province: z.string(),
  region: regionSchema.nullable(),
  candidates: z.array(candidateSeenSchema),
  fallbacks: z.array(fallbackSchema),
  summary: z.string(),
});
/** A decision's explanation. */
export type RoutingExplanation = z.infer<typeof routingExplanationSchema>;

/** The routing decision for one order. */
export const routingDecisionSchema = z.object({
  orderId: z.string(),
  decidedAt: instantSchema,
  /** One parcel stream per warehouse or supplier; the customer still sees one order (RT-5). */
  shipments: z.array(plannedShipmentSchema),
  unroutable: z.array(unroutableLineSchema),
  queues: z.array(routingQueueSchema),
  /** Fulfilment priority; lower is handled sooner. */
  priority: z.number().int(),
  flags: z.array(routingFlagSchema),
  /** What the customer is promised: the slowest shipment, null when nothing could be promised. */
  promisedDeliveryDays: z.number().int().nullable(),
  explanation: routingExplanationSchema,
});
/** A routing decision. */
export type RoutingDecision = z.infer<typeof routingDecisionSchema>;
