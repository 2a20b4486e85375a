/** Price guard (MR-4): a line priced below its channel's maximum discount needs a manager's approval. */
import { z } from 'zod';
import { formatMinorUnits } from './money';
import { channelSchema, type Channel, type CanonicalOrder } from './order';

/** Basis points (1/10000) of a fraction, so ratios multiply money in integers. */
export function toBasisPoints(fraction: number): number {
  return Math.round(fraction * 10_000);
}

/** A fraction between 0 and 1, precise to a basis point (0.3 = 30%). */
export const fractionSchema = z
  .number()
  .min(0)
  .max(1)
  .refine((n) => Math.abs(n * 10_000 - toBasisPoints(n)) < 1e-6, 'at most four decimals (a basis point)');

/**
 * Maximum discount from list price per channel; 30% by default, so list 299 gives Tmall 239 and JD 259 a pass and
 * Douyin 199 a hold. Discounts are fractions; the prices they apply to are minor units (fen), like every amount.
 */
export const priceGuardSchema = z.strictObject({
  enabled: z.boolean().default(true),
  defaultMaxDiscount: fractionSchema.default(0.3),
  perChannel: z.partialRecord(channelSchema, fractionSchema).default({}),
});
/** A validated price guard. */
export type PriceGuard = z.infer<typeof priceGuardSchema>;

/** The price guard when nothing is configured. */
export const defaultPriceGuard: PriceGuard = priceGuardSchema.parse({});

/** A line that needs a manager's approval because it is priced below its floor. */
export interface PriceGuardHold {
  reason: 'PRICE_BELOW_GUARD';
  ruleId: string;
  detail: string;
  lineId: string;
  /** The line's unit price in minor units (fen). */
  unitPrice: number;
  /** The lowest unit price allowed without approval, in minor units (fen). */
  floorPrice: number;
}

/** The lines of an order priced below `listPrice × (1 − maxDiscount)` for its channel; lines without a list price pass. */
export function checkPriceGuard(order: CanonicalOrder, guard: PriceGuard): PriceGuardHold[] {
  if (!guard.enabled) return [];
  const channelDiscount = guard.perChannel[order.channel];
  const maxDiscount = channelDiscount ?? guard.defaultMaxDiscount;
  const ruleId = channelDiscount === undefined ? 'priceGuard.default' : `priceGuard.${order.channel}`;
  const holds: PriceGuardHold[] = [];
  for (const line of order.lines) {
    if (line.listPrice === undefined) continue;
    // Prices are integer minor units, so the comparison is exact (299 × 0.8 is 239.20000000000002 in yuan, 23920 in fen).
    const floor = floorOf(line.listPrice, maxDiscount);
    if (line.unitPrice >= floor) continue;
    holds.push({
      reason: 'PRICE_BELOW_GUARD',
      ruleId,
      detail: belowFloorDetail(line.lineId, line.unitPrice, floor, line.listPrice, maxDiscount, order.channel),
      lineId: line.lineId,
      unitPrice: line.unitPrice,
      floorPrice: floor,
    });
  }
  return holds;
}

/** The lowest allowed unit price in minor units, rounded up so a price one fen under the exact floor is caught. */
function floorOf(listPrice: number, maxDiscount: number): number {
  return Math.ceil((listPrice * (10_000 - toBasisPoints(maxDiscount))) / 10_000);
}

function belowFloorDetail(
  lineId: string,
  unitPrice: number,
  floor: number,
  listPrice: number,
  maxDiscount: number,
  channel: Channel,
): string {
  const percent = toBasisPoints(maxDiscount) / 100;
  return `line ${lineId} at ${formatMinorUnits(unitPrice)} is below the floor ${formatMinorUnits(floor)} (list ${formatMinorUnits(listPrice)}, max discount ${percent}% on ${channel})`;
}
