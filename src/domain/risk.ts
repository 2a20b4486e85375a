/** Risk rules (MR-3): which orders wait for a person before they may reserve stock or ship. */
import { z } from 'zod';
import { formatMinorUnits, minorUnitsSchema } from './money';
import type { CanonicalOrder } from './order';
import { fractionSchema, toBasisPoints } from './priceGuard';
import type { HoldReason } from './status';

/** Hold an order above this amount when it is the buyer's first; the threshold is minor units (500000 fen = 5000 CNY). */
export const highValueFirstOrderRuleSchema = z.strictObject({
  enabled: z.boolean().default(true),
  firstOrderAmountThreshold: minorUnitsSchema
    .default(500_000)
    .describe('paid amount in minor units (fen) above which a first order is held; 500000 = 5000.00'),
});

/** Hold an order whose paid amount is implausible: too large, or far from what its lines add up to; amounts in minor units. */
export const abnormalAmountRuleSchema = z.strictObject({
  enabled: z.boolean().default(true),
  maxPaid: minorUnitsSchema.default(5_000_000).describe('the largest plausible paid amount in minor units (fen); 5000000 = 50000.00'),
  // A ratio rather than an amount, so it means the same for a 20 yuan and a 20,000 yuan order.
  maxDeviationRatio: fractionSchema.default(0.5),
});

/** Hold an order whose delivery address a courier could not find. */
export const vagueAddressRuleSchema = z.strictObject({
  enabled: z.boolean().default(true),
  minLine1Length: z.int().min(0).max(200).default(5),
  keywords: z.array(z.string().trim().min(1).max(32)).max(200).default(['附近', '不详', '随便', '待定', 'unknown', 'near']),
});

/** Hold a buyer's order when they have placed more than `maxOrders` within `windowSeconds`. */
export const buyerOrderBurstRuleSchema = z.strictObject({
  enabled: z.boolean().default(true),
  maxOrders: z.int().positive().default(5),
  windowSeconds: z.int().positive().default(600),
});

/** The risk rules of a brand or channel, as data editable at run time. */
export const riskRulesSchema = z.strictObject({
  highValueFirstOrder: highValueFirstOrderRuleSchema.prefault({}),
  abnormalAmount: abnormalAmountRuleSchema.prefault({}),
  vagueAddress: vagueAddressRuleSchema.prefault({}),
  buyerOrderBurst: buyerOrderBurstRuleSchema.prefault({}),
});
/** Validated risk rules. */
export type RiskRules = z.infer<typeof riskRulesSchema>;

/** The risk rules when nothing is configured. */
export const defaultRiskRules: RiskRules = riskRulesSchema.parse({});

/** What the database knows about the buyer; both counts exclude the order being assessed, and stop at 1,000 (BUYER_HISTORY_READ). */
export const buyerHistorySchema = z.object({
  previousOrderCount: z.int().min(0),
  ordersInWindow: z.int().min(0),
});
/** The buyer's order history as counted by the caller over `buyerOrderBurst.windowSeconds`. */
export type BuyerHistory = z.infer<typeof buyerHistorySchema>;

/** One reason an order waits for review, with the rule that said so and a sentence with the numbers. */
export interface RiskHold {
  reason: HoldReason;
  ruleId: string;
  detail: string;
}

/** Every risk hold on an order; an empty list means it may proceed. */
export interface RiskAssessment {
  holds: RiskHold[];
}

/** Applies every enabled risk rule to the order and the buyer's history. */
export function assessRisk(order: CanonicalOrder, buyerHistory: BuyerHistory, rules: RiskRules): RiskAssessment {
  return {
    holds: [
      ...highValueFirstOrderHolds(order, buyerHistory, rules.highValueFirstOrder),
      ...abnormalAmountHolds(order, rules.abnormalAmount),
      ...vagueAddressHolds(order, rules.vagueAddress),
      ...buyerOrderBurstHolds(buyerHistory, rules.buyerOrderBurst),
    ],
  };
}

function highValueFirstOrderHolds(order: CanonicalOrder, history: BuyerHistory, rule: RiskRules['highValueFirstOrder']): RiskHold[] {
  if (!rule.enabled || history.previousOrderCount > 0) return [];
  const paid = order.amounts.paid;
  if (paid <= rule.firstOrderAmountThreshold) return [];
  const detail = `paid ${formatMinorUnits(paid)} > ${formatMinorUnits(rule.firstOrderAmountThreshold)} on the buyer's first order`;
  return [{ reason: 'HIGH_VALUE_FIRST_ORDER', ruleId: 'risk.highValueFirstOrder', detail }];
}

/** Every amount is integer minor units, so sums and comparisons are exact. */
function abnormalAmountHolds(order: CanonicalOrder, rule: RiskRules['abnormalAmount']): RiskHold[] {
  if (!rule.enabled) return [];
  const holds: RiskHold[] = [];
  const paid = order.amounts.paid;
  if (paid > rule.maxPaid) {
    const detail = `paid ${formatMinorUnits(paid)} > the maximum ${formatMinorUnits(rule.maxPaid)} for one order`;
    holds.push({ reason: 'ABNORMAL_AMOUNT', ruleId: 'risk.abnormalAmount.maxPaid', detail });
  }
  // Shipping and discounts are legitimate differences between the lines and the payment.
  const lines = order.lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
  const expected = lines + order.amounts.shipping - order.amounts.discount;
  const deviation = Math.abs(paid - expected);
  if (deviation * 10_000 > toBasisPoints(rule.maxDeviationRatio) * Math.max(expected, 0)) {
    const detail = `paid ${formatMinorUnits(paid)} differs from the expected ${formatMinorUnits(expected)} (lines ${formatMinorUnits(lines)} + shipping − discount) by more than ${toBasisPoints(rule.maxDeviationRatio) / 100}%`;
    holds.push({ reason: 'ABNORMAL_AMOUNT', ruleId: 'risk.abnormalAmount.deviation', detail });
  }
  return holds;
}

function vagueAddressHolds(order: CanonicalOrder, rule: RiskRules['vagueAddress']): RiskHold[] {
  if (!rule.enabled) return [];
  const holds: RiskHold[] = [];
  const line1 = order.shippingAddress.line1;
  // Counted in code points so a Chinese character is one character.
  const length = [...line1].length;
  if (length < rule.minLine1Length) {
    const detail = `address line "${line1}" has ${length} characters, fewer than ${rule.minLine1Length}`;
    holds.push({ reason: 'VAGUE_ADDRESS', ruleId: 'risk.vagueAddress.tooShort', detail });
  }
  const keyword = rule.keywords.find((word) => containsKeyword(line1, word));
  if (keyword !== undefined) {
    const detail = `address line "${line1}" contains the vague word "${keyword}"`;
    holds.push({ reason: 'VAGUE_ADDRESS', ruleId: 'risk.vagueAddress.keyword', detail });
  }
  return holds;
}

/** Latin keywords match whole words only, so "near" does not flag "Linear Road"; Chinese has no word breaks. */
function containsKeyword(text: string, keyword: string): boolean {
  const haystack = text.toLowerCase();
  const needle = keyword.toLowerCase();
  if (!/^[a-z0-9 ]+$/.test(needle)) return haystack.includes(needle);
  return new RegExp(`(^|[^a-z0-9])${needle}($|[^a-z0-9])`).test(haystack);
}

function buyerOrderBurstHolds(history: BuyerHistory, rule: RiskRules['buyerOrderBurst']): RiskHold[] {
  const ordersInWindow = history.ordersInWindow + 1;
  if (!rule.enabled || ordersInWindow <= rule.maxOrders) return [];
  const detail = `${ordersInWindow} orders from this buyer within ${rule.windowSeconds} s > ${rule.maxOrders}`;
  return [{ reason: 'BUYER_ORDER_BURST', ruleId: 'risk.buyerOrderBurst', detail }];
}
