/**
 * Returns (RF-1…RF-4), pure: the request a customer, channel or operator makes, the state of one return as its
 * workflow owns it, the automatic check of a request against its order (RF-1), and what an inspection refunds (RF-3).
 */
import { z } from 'zod';
import type { OrderFailureCode } from './failures';
import { canonicalOrderSchema, channelSchema, codeSchema, moneySchema, type CanonicalOrder } from './order';
import type { OrderView } from './orderView';
import { instantSchema } from './primitives';
import { notReturnableRuleFor, type ReturnPolicy } from './returnPolicy';

const actorId = z.string().trim().min(1).max(64);

/** A return's id, chosen by the caller so a repeated request is the same return; unique within its order. */
export const returnIdSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only');

/** Why the customer sends an item back; `other` needs a note. */
export const returnReasonSchema = z.enum(['damaged', 'wrong_item', 'not_as_described', 'size_fit', 'changed_mind', 'quality', 'other']);
/** A return reason. */
export type ReturnReason = z.infer<typeof returnReasonSchema>;

/** What the customer asks for in return for the goods. */
export const returnOutcomeSchema = z.enum(['refund', 'exchange']);
/** A requested outcome. */
export type ReturnOutcome = z.infer<typeof returnOutcomeSchema>;

/** A photo of the item: an https URL, or an opaque reference to the channel's or storefront's media store. */
export const returnPhotoSchema = z.union([
  z.url({ protocol: /^https$/ }).max(2048),
  z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_./-]{0,199}$/, 'an https URL or a media reference (letters, digits, _ . / -)'),
]);

/** One line sent back and how many of its units. */
export const returnLineRequestSchema = z.object({ lineId: codeSchema, quantity: z.int().positive().max(10_000) });

const returnRequestFields = z.object({
  returnId: returnIdSchema,
  lines: z.array(returnLineRequestSchema).min(1).max(200),
  reason: returnReasonSchema,
  note: z.string().trim().max(1000).optional(),
  photos: z.array(returnPhotoSchema).max(9).default([]),
  outcome: returnOutcomeSchema.default('refund'),
  /** The marketplace's own id of the buyer's after-sale request (Douyin's after-sale id), which its refund approves. */
  channelRefundId: z.string().trim().min(1).max(64).optional(),
});

/** Each line once per return, and a note when the reason is "other". */
function checkRequest(request: z.infer<typeof returnRequestFields>, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  request.lines.forEach((line, index) => {
    if (seen.has(line.lineId))
      ctx.addIssue({ code: 'custom', path: ['lines', index, 'lineId'], message: 'a line is named once per return' });
    seen.add(line.lineId);
  });
  if (request.reason === 'other' && !request.note)
    ctx.addIssue({ code: 'custom', path: ['note'], message: 'required when reason is other' });
}

/** A return request as a channel, the storefront or operations send it; who asked is the authenticated caller. */
export const returnRequestBodySchema = returnRequestFields.superRefine(checkRequest);

/** A return request by the customer (through a channel or the storefront) or by operations (RF-1). */
export const returnRequestSchema = returnRequestFields
  .extend({ requestedBy: z.enum(['buyer', 'channel', 'operations']), actor: actorId })
  .superRefine(checkRequest);
/** A validated return request. */
export type ReturnRequest = z.infer<typeof returnRequestSchema>;

/**
 * Where a return stands:
 * - REQUESTED: accepted by the automatic check (RF-1); the return slip or label is next.
 * - LABEL_ISSUED: the slip or prepaid label is issued (RF-2); the customer has not handed the parcel over yet.
 * - IN_TRANSIT: the carrier has the parcel.
 * - RECEIVED: the warehouse booked the inbound parcel (receipt scan); inspection starts (RF-3).
 * - INSPECTED: every unit is graded; resellable units go back to stock, and the refund or exchange follows.
 * - AWAITING_DECISION: some units are not resellable; operations decide what they refund, the customer is told.
 * - REFUNDING: the refund is issued and watched until it settles (RF-4).
 * - REFUNDED: the refund settled; closed.
 * - EXCHANGE_SHIPPING: the replacement is on its way.
 * - COMPLETED: the replacement arrived, or nothing was owed; closed.
 * - REJECTED: operations refused the return (e.g. not the item sold); closed, its units count as not returned.
 * - CANCELLED: withdrawn before the parcel arrived; closed, its units count as not returned.
 */
export const returnStatusSchema = z.enum([
  'REQUESTED',
  'LABEL_ISSUED',
  'IN_TRANSIT',
  'RECEIVED',
  'INSPECTED',
  'AWAITING_DECISION',
  'REFUNDING',
  'REFUNDED',
  'EXCHANGE_SHIPPING',
  'COMPLETED',
  'REJECTED',
  'CANCELLED',
]);
/** A return status. */
export type ReturnStatus = z.infer<typeof returnStatusSchema>;

/** The statuses a return may move to from each status; closed statuses move nowhere. */
export const returnTransitions: Readonly<Record<ReturnStatus, readonly ReturnStatus[]>> = {
  REQUESTED: ['LABEL_ISSUED', 'IN_TRANSIT', 'RECEIVED', 'REJECTED', 'CANCELLED'],
  LABEL_ISSUED: ['IN_TRANSIT', 'RECEIVED', 'CANCELLED'],
  IN_TRANSIT: ['RECEIVED'],
  RECEIVED: ['INSPECTED'],
  INSPECTED: ['AWAITING_DECISION', 'REFUNDING', 'EXCHANGE_SHIPPING', 'COMPLETED'],
  AWAITING_DECISION: ['REFUNDING', 'EXCHANGE_SHIPPING', 'COMPLETED', 'REJECTED'],
  REFUNDING: ['REFUNDED'],
  EXCHANGE_SHIPPING: ['COMPLETED'],
  REFUNDED: [],
  COMPLETED: [],
  REJECTED: [],
  CANCELLED: [],
};

/** True when a return's units count as returned: every status but REJECTED and CANCELLED. */
export function countsAsReturned(status: ReturnStatus): boolean {
  return status !== 'REJECTED' && status !== 'CANCELLED';
}

/** How an inspected unit came back (RF-3): intact and light wear go back to stock, not resellable does not. */
export const itemConditionSchema = z.enum(['intact', 'light_wear', 'not_resellable']);
/** An item condition. */
export type ItemCondition = z.infer<typeof itemConditionSchema>;

/** The inspector's grading of a line's units; a line's units may be split over several conditions. */
export const inspectionLineSchema = z.object({
  lineId: codeSchema,
  quantity: z.int().positive().max(10_000),
  condition: itemConditionSchema,
  note: z.string().trim().max(500).optional(),
});
/** An inspection line. */
export type InspectionLine = z.infer<typeof inspectionLineSchema>;

/** The quality report of a received return (RF-3): every unit graded, by whom and when. */
export const inspectionReportSchema = z.object({
  lines: z.array(inspectionLineSchema).min(1).max(400),
  inspector: actorId,
  at: instantSchema,
});
/** An inspection report. */
export type InspectionReport = z.infer<typeof inspectionReportSchema>;

/** Operations' decision on not-resellable units: the share of their price refunded, per line (0 refunds nothing). */
export const inspectionDecisionSchema = z.object({
  lines: z.array(z.object({ lineId: codeSchema, refundPercent: z.int().min(0).max(100), note: z.string().trim().max(500).optional() })),
  by: actorId,
  at: instantSchema,
});
/** An operations decision on a return. */
export type InspectionDecision = z.infer<typeof inspectionDecisionSchema>;

/** A returned line as priced when the return was accepted: `refundableMinor` is what those units cost the customer. */
export const returnLineSchema = z.object({
  lineId: z.string(),
  sku: z.string(),
  category: z.string(),
  quantity: z.int().positive(),
  unitPrice: moneySchema,
  refundableMinor: moneySchema,
  shipmentId: z.string(),
  shippedAt: z.string(),
  deliveredAt: z.string(),
});
/** A priced return line. */
export type ReturnLine = z.infer<typeof returnLineSchema>;

/** Where a refund is: asked of the provider, issued, settled in the customer's account, or refused by the provider. */
export const refundStateSchema = z.enum(['pending', 'issued', 'settled', 'failed']);

/** Who closed a return early and why (a rejection or a cancellation). */
const closureSchema = z.object({ by: z.string(), at: z.string(), reason: z.string() });

/** The full state of one return: its workflow's query result, the returns store's body and the API's answer. */
export const returnViewSchema = z.object({
  orderId: z.string(),
  returnId: z.string(),
  rma: z.string(),
  brand: canonicalOrderSchema.shape.brand,
  channel: channelSchema,
  requestedBy: z.enum(['buyer', 'channel', 'operations']),
  actor: z.string(),
  requestedAt: z.string(),
  reason: returnReasonSchema,
  note: z.string().optional(),
  photos: z.array(z.string()),
  outcome: returnOutcomeSchema,
  lines: z.array(returnLineSchema).min(1),
  status: returnStatusSchema,
  /** Whether the brand pays the return label, and the return settings version the return runs under. */
  freeReturn: z.boolean(),
  policyVersion: z.int().nonnegative(),
  label: z
    .object({ carrier: z.string(), trackingNumber: z.string(), paidBy: z.enum(['brand', 'customer']), issuedAt: z.string() })
    .optional(),
  receivedAt: z.string().optional(),
  inspection: inspectionReportSchema.optional(),
  decision: inspectionDecisionSchema.optional(),
  refund: z
    .object({
      key: z.string(),
      amountMinor: moneySchema,
      state: refundStateSchema,
      reference: z.string().optional(),
      issuedAt: z.string().optional(),
      settledAt: z.string().optional(),
      /** When finance was told the refund had not settled in time (RF-4). */
      alertedAt: z.string().optional(),
    })
    .optional(),
  exchange: z.object({ shipmentId: z.string(), carrier: z.string().optional(), trackingNumber: z.string().optional() }).optional(),
  /** Units refunded nothing and shipped back to the customer, under the label the destination's carrier issued. */
  sentBack: z
    .object({
      lines: z.array(z.object({ lineId: z.string(), sku: z.string(), quantity: z.int().positive() })),
      carrier: z.string().optional(),
      trackingNumber: z.string().optional(),
      at: z.string(),
    })
    .optional(),
  rejection: closureSchema.optional(),
  cancellation: closureSchema.optional(),
  timeline: z.array(z.object({ at: z.string(), status: returnStatusSchema, note: z.string() })),
  version: z.int(),
});
/** A return's state. */
export type ReturnView = z.infer<typeof returnViewSchema>;

/** A failure code the automatic check of a return request answers with. */
export type ReturnRefusalCode = Extract<
  OrderFailureCode,
  | 'UNKNOWN_LINE'
  | 'DUPLICATE_RETURN'
  | 'NOT_DELIVERED'
  | 'RETURN_WINDOW_CLOSED'
  | 'NOT_RETURNABLE'
  | 'RETURN_QUANTITY_EXCEEDED'
  | 'EXCHANGE_NOT_ALLOWED'
>;

/** A refusal: the code from the failure table and a sentence for the customer. */
export interface ReturnRefusal {
  ok: false;
  code: ReturnRefusalCode;
  message: string;
}

/** The answer of the automatic check: the accepted lines priced, or why not. */
export type ReturnValidation = { ok: true; lines: ReturnLine[] } | ReturnRefusal;

/** An earlier return of the same order, as far as the check needs it. */
export type EarlierReturn = Pick<ReturnView, 'returnId' | 'status'> & { lines: ReadonlyArray<Pick<ReturnLine, 'lineId' | 'quantity'>> };

/** What a return request is checked against. */
export interface ReturnCheck {
  view: Pick<OrderView, 'order' | 'shipments' | 'timeline'>;
  /** Every earlier return of the order, whatever its status. */
  earlier: readonly EarlierReturn[];
  /** The brand's return policy, resolved. */
  policy: ReturnPolicy;
  /** From the order's applied policy (`view.policy.returnWindowSeconds`). */
  returnWindowSeconds: number;
  /** The instant of the request. */
  now: string;
}

/** floor(amount × part / whole) without leaving safe integers: amounts reach 10^10 and weights 10^14. */
function shareOf(amount: number, part: number, whole: number): number {
  return Number((BigInt(amount) * BigInt(part)) / BigInt(whole));
}

/**
 * What the customer paid for each line's goods, in minor units: the amount paid less shipping (never more than the
 * lines' value) spread over the lines by their value, largest remainders first, so the shares sum to it exactly.
 */
export function paidShareByLine(order: Pick<CanonicalOrder, 'lines' | 'amounts'>): Map<string, number> {
  const values = order.lines.map((line) => line.unitPrice * line.quantity);
  const total = values.reduce((sum, value) => sum + value, 0);
  const goodsPaid = Math.min(Math.max(0, order.amounts.paid - order.amounts.shipping), total);
  // Free lines get nothing when others cost something; when all are free the weights are their quantities.
  const weights = total > 0 ? values : order.lines.map((line) => line.quantity);
  const whole = weights.reduce((sum, weight) => sum + weight, 0);
  const shares = weights.map((weight) => shareOf(goodsPaid, weight, whole));
  const remainders = weights.map((weight, index) => ({ index, rest: (BigInt(goodsPaid) * BigInt(weight)) % BigInt(whole) }));
  remainders.sort((a, b) => (a.rest === b.rest ? a.index - b.index : a.rest > b.rest ? -1 : 1));
  let left = goodsPaid - shares.reduce((sum, share) => sum + share, 0);
  for (const { index } of remainders) {
    if (left === 0) break;
    shares[index]! += 1;
    left -= 1;
  }
  return new Map(order.lines.map((line, index) => [line.lineId, shares[index]!]));
}

/** The parcel that brought a line and when it arrived; a re-routed parcel that never shipped does not count. */
function deliveryOf(lineId: string, view: ReturnCheck['view']) {
  const shipment = view.shipments.filter((s) => s.step !== 'rejected' && s.shippedAt && s.lineIds.includes(lineId)).at(-1);
  const orderDelivered = view.timeline.filter((entry) => entry.status === 'DELIVERED').at(-1)?.at;
  return shipment && { shipment, deliveredAt: shipment.deliveredAt ?? orderDelivered };
}

const refuse = (code: ReturnRefusalCode, message: string): ReturnRefusal => ({ ok: false, code, message });

/**
 * The automatic check of a return request (RF-1): every line is the order's, delivered, inside the return window
 * counted from its parcel's delivery, returnable under the brand's policy, and asked for no more units than were
 * shipped less those in earlier returns (rejected and cancelled ones give theirs back). Accepted lines are priced.
 */
export function validateReturnRequest(request: ReturnRequest, check: ReturnCheck): ReturnValidation {
  const { view, earlier, policy } = check;
  if (earlier.some((r) => r.returnId === request.returnId))
    return refuse('DUPLICATE_RETURN', `return ${request.returnId} was already requested`);
  if (request.outcome === 'exchange' && !policy.exchangeAllowed)
    return refuse('EXCHANGE_NOT_ALLOWED', 'this brand refunds returns; it does not exchange them');
  const orderLines = new Map(view.order.lines.map((line) => [line.lineId, line]));
  const unknown = request.lines.filter((l) => !orderLines.has(l.lineId)).map((l) => l.lineId);
  if (unknown.length > 0) return refuse('UNKNOWN_LINE', `the order has no line ${unknown.join(', ')}`);

  const now = Date.parse(check.now);
  const shares = paidShareByLine(view.order);
  const priced: ReturnLine[] = [];
  for (const asked of request.lines) {
    const line = orderLines.get(asked.lineId)!;
    const delivery = deliveryOf(line.lineId, view);
    if (!delivery?.deliveredAt)
      return refuse('NOT_DELIVERED', `line ${line.lineId} has not been delivered yet; its return window opens on delivery`);
    const closesAt = Date.parse(delivery.deliveredAt) + check.returnWindowSeconds * 1000;
    if (now > closesAt)
      return refuse('RETURN_WINDOW_CLOSED', `the return window of line ${line.lineId} closed at ${new Date(closesAt).toISOString()}`);
    const rule = notReturnableRuleFor(line, policy);
    if (rule) return refuse('NOT_RETURNABLE', `${line.sku} (${line.category}) cannot be returned${rule.note ? `: ${rule.note}` : ''}`);
    const returned = earlier
      .filter((r) => countsAsReturned(r.status))
      .flatMap((r) => r.lines)
      .filter((l) => l.lineId === line.lineId)
      .reduce((sum, l) => sum + l.quantity, 0);
    if (asked.quantity > line.quantity - returned) {
      return refuse(
        'RETURN_QUANTITY_EXCEEDED',
        `line ${line.lineId}: ${asked.quantity} asked, ${Math.max(0, line.quantity - returned)} may be returned (${line.quantity} shipped, ${returned} already returned)`,
      );
    }
    // Priced as the units after those already returned, so all of a line's returns together refund exactly its share.
    const share = shares.get(line.lineId)!;
    const refundableMinor = shareOf(share, returned + asked.quantity, line.quantity) - shareOf(share, returned, line.quantity);
    priced.push({
      lineId: line.lineId,
      sku: line.sku,
      category: line.category,
      quantity: asked.quantity,
      unitPrice: line.unitPrice,
      refundableMinor,
      shipmentId: delivery.shipment.shipmentId,
      shippedAt: delivery.shipment.shippedAt!,
      deliveredAt: delivery.deliveredAt,
    });
  }
  return { ok: true, lines: priced };
}

/** An inspection that matches the return, or why it does not: each returned unit graded once. */
export function checkInspection(
  lines: ReadonlyArray<Pick<ReturnLine, 'lineId' | 'quantity'>>,
  report: InspectionReport,
): { ok: true } | { ok: false; code: Extract<OrderFailureCode, 'INSPECTION_MISMATCH'>; message: string } {
  const graded = new Map<string, number>();
  for (const entry of report.lines) graded.set(entry.lineId, (graded.get(entry.lineId) ?? 0) + entry.quantity);
  const stray = [...graded.keys()].filter((lineId) => !lines.some((l) => l.lineId === lineId));
  if (stray.length > 0) return { ok: false, code: 'INSPECTION_MISMATCH', message: `the return has no line ${stray.join(', ')}` };
  const off = lines.filter((l) => (graded.get(l.lineId) ?? 0) !== l.quantity);
  if (off.length === 0) return { ok: true };
  const detail = off.map((l) => `${l.lineId}: ${graded.get(l.lineId) ?? 0} graded, ${l.quantity} returned`).join('; ');
  return { ok: false, code: 'INSPECTION_MISMATCH', message: `every returned unit is graded once (${detail})` };
}

/** One graded share of a line and what it refunds. */
export interface RefundLine {
  lineId: string;
  quantity: number;
  condition: ItemCondition;
  /** What these units cost the customer. */
  fullMinor: number;
  deductionMinor: number;
  amountMinor: number;
  /** True for not-resellable units no decision covers yet: they refund nothing until operations decide. */
  awaitingDecision: boolean;
}

/** What an inspected return refunds, line by line, and whether operations still have to decide on some units. */
export interface RefundAssessment {
  amountMinor: number;
  lines: RefundLine[];
  awaitingDecision: boolean;
}

/**
 * The refund of an inspected return (RF-3), in minor units: intact units in full, light wear less the brand's
 * deduction (rounded in the customer's favour), not-resellable units by operations' decision. A line's graded shares
 * split its refundable amount exactly. Assumes `checkInspection` passed.
 */
export function refundAmountOf(
  lines: ReadonlyArray<Pick<ReturnLine, 'lineId' | 'quantity' | 'refundableMinor'>>,
  report: InspectionReport,
  policy: Pick<ReturnPolicy, 'lightWearDeductionPercent'>,
  decision?: InspectionDecision,
): RefundAssessment {
  const gradedSoFar = new Map<string, number>();
  const graded = report.lines.map((entry): RefundLine => {
    const line = lines.find((l) => l.lineId === entry.lineId)!;
    const before = gradedSoFar.get(entry.lineId) ?? 0;
    gradedSoFar.set(entry.lineId, before + entry.quantity);
    const fullMinor =
      shareOf(line.refundableMinor, before + entry.quantity, line.quantity) - shareOf(line.refundableMinor, before, line.quantity);
    const decided = decision?.lines.find((d) => d.lineId === entry.lineId);
    const keptPercent = { intact: 0, light_wear: policy.lightWearDeductionPercent, not_resellable: 100 - (decided?.refundPercent ?? 0) }[
      entry.condition
    ];
    const deductionMinor = shareOf(fullMinor, keptPercent, 100);
    const awaitingDecision = entry.condition === 'not_resellable' && !decided;
    return {
      lineId: entry.lineId,
      quantity: entry.quantity,
      condition: entry.condition,
      fullMinor,
      deductionMinor,
      amountMinor: fullMinor - deductionMinor,
      awaitingDecision,
    };
  });
  return {
    amountMinor: graded.reduce((sum, line) => sum + line.amountMinor, 0),
    lines: graded,
    awaitingDecision: graded.some((line) => line.awaitingDecision),
  };
}

/** Units of a return, per SKU and line. */
export type ReturnUnits = Array<{ lineId: string; sku: string; quantity: number }>;

/** The units of the report's lines that `counts`, per line as the return lists them. */
function unitsWhere(
  lines: ReadonlyArray<Pick<ReturnLine, 'lineId' | 'sku'>>,
  report: InspectionReport,
  counts: (entry: InspectionReport['lines'][number]) => boolean,
): ReturnUnits {
  const units = new Map<string, number>();
  for (const entry of report.lines) if (counts(entry)) units.set(entry.lineId, (units.get(entry.lineId) ?? 0) + entry.quantity);
  return lines.flatMap((line) => {
    const quantity = units.get(line.lineId) ?? 0;
    return quantity > 0 ? [{ lineId: line.lineId, sku: line.sku, quantity }] : [];
  });
}

/** The units that go back to stock after inspection (intact and light wear), per SKU and line. */
export function resellableUnitsOf(lines: ReadonlyArray<Pick<ReturnLine, 'lineId' | 'sku'>>, report: InspectionReport): ReturnUnits {
  return unitsWhere(lines, report, (entry) => entry.condition !== 'not_resellable');
}

/** The units operations decided to send back to the customer: not resellable and refunded 0 % (RF-3). */
export function sentBackUnitsOf(
  lines: ReadonlyArray<Pick<ReturnLine, 'lineId' | 'sku'>>,
  report: InspectionReport,
  decision: InspectionDecision | undefined,
): ReturnUnits {
  const refundedNothing = (lineId: string) => decision?.lines.find((d) => d.lineId === lineId)?.refundPercent === 0;
  return unitsWhere(lines, report, (entry) => entry.condition === 'not_resellable' && refundedNothing(entry.lineId));
}
