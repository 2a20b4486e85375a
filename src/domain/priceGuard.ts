/** Price guard (MR-4): a line priced below its channel's maximum discount needs a manager's approval. */
import { z } from 'zod';
import { channelSchema, type Channel, type CanonicalOrder } from './order';

/** Whole cents of a money amount; money is compared in integers because 299 × 0.8 is 239.20000000000002 in floating point. */
export function toCents(amount: number): number {
  return Math.round(amount * 100);
}

/** A cent amount as the two-decimal text people read in hold details ("6200.00"). */
export function formatCents(cents: number): string {
  return (cents / 100).toFixed(2);
}

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

/** Maximum discount from list price per channel; 30% by default, so list 299 gives Tmall 239 and JD 259 a pass and Douyin 199 a hold. */
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
  unitPrice: number;
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
    const floorCents = floorCentsOf(toCents(line.listPrice), maxDiscount);
    const unitCents = toCents(line.unitPrice);
    if (unitCents >= floorCents) continue;
    holds.push({
      reason: 'PRICE_BELOW_GUARD',
      ruleId,
      detail: belowFloorDetail(line.lineId, unitCents, floorCents, toCents(line.listPrice), maxDiscount, order.channel),
      lineId: line.lineId,
      unitPrice: unitCents / 100,
      floorPrice: floorCents / 100,
    });
  }
  return holds;
}

/** The lowest allowed unit price in cents, rounded up so a price one cent under the exact floor is caught. */
function floorCentsOf(listCents: number, maxDiscount: number): number {
  return Math.ceil((listCents * (10_000 - toBasisPoints(maxDiscount))) / 10_000);
}

function belowFloorDetail(lineId: string, unitCents: number, floorCents: number, listCents: number, maxDiscount: number, channel: Channel): string {
  const percent = toBasisPoints(maxDiscount) / 100;
  return `line ${lineId} at ${formatCents(unitCents)} is below the floor ${formatCents(floorCents)} (list ${formatCents(listCents)}, max discount ${percent}% on ${channel})`;
}
