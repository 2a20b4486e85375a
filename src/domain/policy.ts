/** The order policy of a brand and channel, as data editable at run time (INV-2, MR-3, MR-4, RF-1). */
import { z } from 'zod';
import { canonicalOrderSchema, channelSchema, type CanonicalOrder } from './order';
import { priceGuardSchema } from './priceGuard';
import { riskRulesSchema } from './risk';
import { isPlainObject, mergeSettings, type DeepPartial } from './settingsMerge';

export { mergeSettings, type DeepPartial };

/** When stock is reserved (INV-2): at order creation, at payment, or pre-occupied and released when unpaid in time. */
export const lockStrategySchema = z.enum(['onOrder', 'onPayment', 'preOccupy']);
/** A stock lock strategy. */
export type LockStrategy = z.infer<typeof lockStrategySchema>;

/** What happens to a paid order whose stock cannot be reserved. */
export const outOfStockActionSchema = z.enum(['hold', 'cancel']);
/** An out-of-stock action. */
export type OutOfStockAction = z.infer<typeof outOfStockActionSchema>;

/**
 * A brand's or channel's order policy; strict so a misspelt setting is rejected rather than silently ignored.
 * Money thresholds (the risk amounts) are integer minor units (fen), like every amount inside the hub.
 */
export const orderPolicySchema = z.strictObject({
  paymentTimeoutSeconds: z.int().positive().default(1800),
  lockStrategy: lockStrategySchema.default('onPayment'),
  returnWindowSeconds: z
    .int()
    .positive()
    .default(7 * 24 * 3600),
  outOfStockAction: outOfStockActionSchema.default('hold'),
  /** FS-2: a parcel's write-back not confirmed this long after it shipped alerts operations. */
  writeBackAlertSeconds: z
    .int()
    .positive()
    .default(15 * 60),
  risk: riskRulesSchema.prefault({}).describe('risk rules (MR-3); amount thresholds are minor units (fen): 500000 = 5000.00'),
  priceGuard: priceGuardSchema.prefault({}),
});
/** A validated order policy. */
export type OrderPolicy = z.infer<typeof orderPolicySchema>;

/** The policy when nothing is configured: every default from the requirements. */
export const defaultOrderPolicy: OrderPolicy = orderPolicySchema.parse({});

/** The settings an override changes; anything it leaves out comes from the less specific policy. */
export type PolicySettings = DeepPartial<OrderPolicy>;

/** A change to the policy for one brand, one channel, or one brand on one channel. */
export const policyOverrideSchema = z
  .object({
    id: z.string().trim().min(1).max(64),
    brand: canonicalOrderSchema.shape.brand.optional(),
    channel: channelSchema.optional(),
    settings: z.custom<PolicySettings>(isPlainObject, 'an object of policy settings'),
  })
  .superRefine((override, ctx) => {
    if (override.brand === undefined && override.channel === undefined) {
      ctx.addIssue({ code: 'custom', path: ['brand'], message: 'an override needs a brand, a channel or both' });
    }
    // Settings are valid when they make a valid policy on top of the defaults; paths are reported inside settings.
    const merged = orderPolicySchema.safeParse(mergeSettings(defaultOrderPolicy, override.settings));
    for (const issue of merged.error?.issues ?? []) {
      ctx.addIssue({ code: 'custom', path: ['settings', ...issue.path], message: issue.message });
    }
  });
/** A validated policy override. */
export type PolicyOverride = z.infer<typeof policyOverrideSchema>;

/** The policy in force for an order and the override ids that shaped it, least specific first. */
export interface ResolvedPolicy {
  policy: OrderPolicy;
  appliedOverrideIds: string[];
}

/** Applies the overrides matching the order on top of the base: brand+channel beats brand beats channel; ties go to the later override. */
export function resolvePolicy(
  base: OrderPolicy,
  overrides: readonly PolicyOverride[],
  order: Pick<CanonicalOrder, 'brand' | 'channel'>,
): ResolvedPolicy {
  const applicable = overrides.filter((override) => matches(override, order)).sort((a, b) => specificity(a) - specificity(b));
  const policy = applicable.reduce((current, override) => mergeSettings(current, override.settings), base);
  return { policy, appliedOverrideIds: applicable.map((override) => override.id) };
}

function matches(override: PolicyOverride, order: Pick<CanonicalOrder, 'brand' | 'channel'>): boolean {
  if (override.brand !== undefined && override.brand !== order.brand) return false;
  return override.channel === undefined || override.channel === order.channel;
}

/** brand+channel (3) > brand (2) > channel (1), so the most specific override is applied last and wins. */
function specificity(override: PolicyOverride): number {
  return (override.brand === undefined ? 0 : 2) + (override.channel === undefined ? 0 : 1);
}

/** Stored settings of one kind: a base for everyone and overrides on top, whose ids are unique (resolutions name them). */
export function layeredSettingsSchema<B extends z.ZodType, O extends z.ZodType<{ id: string }>>(base: B, override: O) {
  return z.object({ base, overrides: z.array(override).max(500).default([]) }).superRefine((settings, ctx) => {
    const seen = new Set<string>();
    settings.overrides.forEach((entry, index) => {
      const { id } = entry as { id: string };
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path: ['overrides', index, 'id'], message: 'another override has this id' });
      seen.add(id);
    });
  });
}

/** The stored order policy: a base for everyone and overrides per brand and/or channel. */
export const policySettingsSchema = z.object({
  base: orderPolicySchema,
  overrides: z.array(policyOverrideSchema).max(500).default([]),
});
