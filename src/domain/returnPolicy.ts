/**
 * The return policy of a brand as data editable at run time (RF-1…RF-4): what may not be returned, whether the brand
 * pays the return label, what light wear costs the customer, when an unsettled refund alerts finance, and whether
 * exchanges are offered. Stored like the order policy: a base for everyone and overrides per brand.
 */
import { z } from 'zod';
import { durationSchema } from './escalation';
import { codeSchema, type OrderLine } from './order';
import { layeredSettingsSchema, mergeSettings } from './policy';

/**
 * One kind of item that may not be returned: SKUs starting with a prefix, or a category (underwear, customised items).
 * Both match without regard to case, so "Underwear" in the catalog is caught by "underwear" here.
 */
export const notReturnableRuleSchema = z
  .strictObject({
    skuPrefix: z.string().trim().min(1).max(64).optional(),
    category: z.string().trim().min(1).max(64).optional(),
    /** Why, shown to the customer when a return is refused. */
    note: z.string().trim().max(200).optional(),
  })
  .refine((rule) => (rule.skuPrefix === undefined) !== (rule.category === undefined), {
    message: 'a rule names either a skuPrefix or a category',
    path: ['skuPrefix'],
  });
/** A not-returnable rule. */
export type NotReturnableRule = z.infer<typeof notReturnableRuleSchema>;

/** The policy's fields without defaults: the one definition both the base (with defaults) and an override's patch use. */
const returnPolicyFields = {
  notReturnable: z
    .array(notReturnableRuleSchema)
    .max(500)
    .describe('items that may not be returned; an override that sets this list replaces the base list whole'),
  freeReturn: z.boolean().describe('true when the brand pays the return label; otherwise the customer does'),
  lightWearDeductionPercent: z.int().min(0).max(100).describe('the share of a light-wear item’s refund the customer loses (RF-3)'),
  refundSettlementAlertSeconds: durationSchema.describe('an issued refund not settled this long after it was issued alerts finance (RF-4)'),
  exchangeAllowed: z.boolean().describe('whether a customer may ask for an exchange instead of a refund'),
};

/** A brand's return policy; strict so a misspelt setting is rejected rather than silently ignored. */
export const returnPolicySchema = z.strictObject({
  notReturnable: returnPolicyFields.notReturnable.default([]),
  freeReturn: returnPolicyFields.freeReturn.default(false),
  lightWearDeductionPercent: returnPolicyFields.lightWearDeductionPercent.default(0),
  refundSettlementAlertSeconds: returnPolicyFields.refundSettlementAlertSeconds.default(24 * 3600),
  exchangeAllowed: returnPolicyFields.exchangeAllowed.default(true),
});
/** A validated return policy; durations in seconds. */
export type ReturnPolicy = z.infer<typeof returnPolicySchema>;

/** The policy when nothing is configured: everything returnable, the customer pays the label, full refunds, alert after a day. */
export const defaultReturnPolicy: ReturnPolicy = returnPolicySchema.parse({});

/** What a brand override changes; anything it leaves out comes from the base. Durations are stored in seconds. */
export const returnPolicyPatchSchema = z.strictObject(returnPolicyFields).partial();
/** A return policy patch. */
export type ReturnPolicyPatch = z.infer<typeof returnPolicyPatchSchema>;

/** A brand's own return terms on top of the base. */
export const returnPolicyOverrideSchema = z.object({
  id: z.string().trim().min(1).max(64),
  brand: codeSchema,
  settings: returnPolicyPatchSchema,
});
/** A return policy override. */
export type ReturnPolicyOverride = z.infer<typeof returnPolicyOverrideSchema>;

/** The stored return policy: a base for everyone and overrides per brand; override ids are unique, as resolutions name them. */
export const returnSettingsSchema = layeredSettingsSchema(returnPolicySchema, returnPolicyOverrideSchema);
/** Stored return settings. */
export type ReturnSettings = z.infer<typeof returnSettingsSchema>;

/** The return policy in force for a brand, the override ids that shaped it (in order applied) and the settings version. */
export interface ResolvedReturnPolicy {
  policy: ReturnPolicy;
  appliedOverrides: string[];
  version: number;
}

/** Applies the brand's overrides on top of the base, in the order stored, so a later override wins a tie. */
export function resolveReturnPolicy(stored: ReturnSettings, brand: string, version: number): ResolvedReturnPolicy {
  const applicable = stored.overrides.filter((override) => override.brand === brand);
  const policy = applicable.reduce<ReturnPolicy>((current, override) => mergeSettings(current, override.settings), stored.base);
  return { policy, appliedOverrides: applicable.map((override) => override.id), version };
}

/** The rule that keeps an item from being returned, or undefined when it may be returned. */
export function notReturnableRuleFor(line: Pick<OrderLine, 'sku' | 'category'>, policy: ReturnPolicy): NotReturnableRule | undefined {
  const sku = line.sku.toLowerCase();
  const category = line.category.trim().toLowerCase();
  return policy.notReturnable.find((rule) =>
    rule.skuPrefix !== undefined ? sku.startsWith(rule.skuPrefix.toLowerCase()) : rule.category!.toLowerCase() === category,
  );
}

/** True when the policy lets the item with this SKU and category be returned. */
export function isReturnable(sku: string, category: string, policy: ReturnPolicy): boolean {
  return notReturnableRuleFor({ sku, category }, policy) === undefined;
}
