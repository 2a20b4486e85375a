/**
 * The escalation of stuck orders as data (ES-1…ES-5, FS-2, FS-3): thresholds, who is told and what the hub does, per
 * brand, channel, warehouse or supplier; and the pure rule of what falls due when, from which a workflow sets its timers.
 */
import { z } from 'zod';
import { canonicalOrderSchema, channelSchema } from './order';
import { layeredSettingsSchema, mergeSettings, type DeepPartial } from './policy';
import { isPlainObject } from './settingsMerge';
import { instantSchema } from './primitives';
import { shipmentKindSchema } from './shipment';
import { escalationLevelIds, escalationStages } from './escalationDeadlines';

export { resolveEscalationPolicy } from './escalationResolve';

const minute = 60;
const hour = 60 * minute;
const day = 24 * hour;
const maxDurationSeconds = 60 * day;
const durationHint = 'expected a duration such as 30m, 2h, 1d';

const compactDuration = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/i;
// Years and months have no fixed length, so ISO durations stop at weeks; `T` must be followed by a time part.
const isoDuration = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i;

/** Seconds in a duration written as text, or why the text is not one. */
function parseDurationText(text: string): number | string {
  const value = text.trim();
  if (/^\d+$/.test(value)) return `${durationHint}: add a unit (${value}s, ${value}m, ${value}h)`;
  const iso = isoDuration.exec(value);
  if (iso && iso.slice(1).some((part) => part !== undefined)) {
    const [weeks, days, hours, minutes, seconds] = iso.slice(1).map((part) => Number(part ?? 0)) as [
      number,
      number,
      number,
      number,
      number,
    ];
    return (weeks * 7 + days) * day + hours * hour + minutes * minute + seconds;
  }
  if (/^P/i.test(value)) return `${durationHint}, or ISO-8601 in weeks, days, hours, minutes, whole seconds (PT2H, P1D)`;
  const compact = compactDuration.exec(value);
  if (!compact || compact.slice(1).every((part) => part === undefined)) return `${durationHint}, 1h30m, PT2H or a number of seconds`;
  const [days, hours, minutes, seconds] = compact.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number];
  return days * day + hours * hour + minutes * minute + seconds;
}

/** A duration: "90s", "30m", "2h", "1d", "1h30m", ISO-8601 "PT2H", or a number of seconds; parsed to whole seconds. */
export const durationSchema = z
  .union([z.number(), z.string()], { error: `${durationHint}, or a number of seconds` })
  .transform((value, ctx) => {
    const seconds = typeof value === 'number' ? value : parseDurationText(value);
    let problem: string | undefined;
    if (typeof seconds === 'string') problem = seconds;
    else if (!Number.isInteger(seconds)) problem = 'a duration in seconds must be a whole number';
    else if (seconds <= 0) problem = 'a duration must be longer than 0';
    else if (seconds > maxDurationSeconds) problem = 'a duration may be at most 60 days (60d)';
    if (problem === undefined) return seconds as number;
    ctx.issues.push({ code: 'custom', message: problem, input: value });
    return z.NEVER;
  })
  .describe('a duration: "90s", "30m", "2h", "1d", "1h30m", ISO-8601 "PT2H", or a number of seconds; stored as seconds');

/** Writes seconds the way people type them, e.g. 5400 → "1h30m", for notices and messages. */
export function formatDuration(seconds: number): string {
  const parts: Array<[number, string]> = [
    [Math.floor(seconds / day), 'd'],
    [Math.floor((seconds % day) / hour), 'h'],
    [Math.floor((seconds % hour) / minute), 'm'],
    [seconds % minute, 's'],
  ];
  return (
    parts
      .filter(([count]) => count > 0)
      .map(([count, unit]) => `${count}${unit}`)
      .join('') || '0s'
  );
}

/** People the notifier finds at send time: the brand's supervisor, the late warehouse's or supplier's lead, operations. */
export const recipientRoleSchema = z.enum(['@supervisor', '@location', '@operations']);
/** A recipient role. */
export type RecipientRole = z.infer<typeof recipientRoleSchema>;

/** How a notice travels. */
export const notifyChannelSchema = z.enum(['wecom', 'sms', 'email', 'webhook']);

// Robot and webhook names are the keys of the notification channels in the partner configuration.
const configuredName = /^[A-Za-z0-9_-]{1,32}$/;
const phone = /^\+?[0-9 -]{6,20}$/;
const rolesText = recipientRoleSchema.options.join(', ');
const addressChecks: Record<z.infer<typeof notifyChannelSchema>, { valid: (to: string) => boolean; expected: string }> = {
  wecom: { valid: (to) => configuredName.test(to), expected: 'a WeCom robot name from the notification settings' },
  sms: { valid: (to) => phone.test(to), expected: 'a phone number' },
  email: { valid: (to) => z.email().safeParse(to).success, expected: 'an e-mail address' },
  webhook: { valid: (to) => configuredName.test(to), expected: 'a webhook name from the notification settings' },
};

/** Who is told at a level, how, and in which language. */
export const recipientSchema = z
  .strictObject({
    channel: notifyChannelSchema,
    to: z.string().trim().min(1).max(254).describe(`a robot name, phone, e-mail address or webhook name, or a role: ${rolesText}`),
    language: z.enum(['zh', 'en']).default('zh'),
  })
  .superRefine((recipient, ctx) => {
    const check = addressChecks[recipient.channel];
    if (recipientRoleSchema.safeParse(recipient.to).success || check.valid(recipient.to)) return;
    ctx.addIssue({ code: 'custom', path: ['to'], message: `expected ${check.expected} or a role (${rolesText})` });
  });
/** A recipient. */
export type Recipient = z.infer<typeof recipientSchema>;

/** One level's settings: whether it is on, how long the wait may last, and who is told; `extra` holds what it does. */
function levelSchema<S extends z.ZodRawShape>(after: number, notify: Array<z.input<typeof recipientSchema>>, extra: S, what: string) {
  return z
    .strictObject({
      enabled: z.boolean().default(true),
      after: durationSchema.default(after),
      notify: z.array(recipientSchema).max(20).prefault(notify),
      ...extra,
    })
    .prefault({} as never) // every field has a default, which the generic `extra` hides from the type checker
    .describe(what);
}

/** The escalation policy: every threshold and action of the seeds, each a setting (defaults are the seeds' numbers). */
export const escalationPolicySchema = z
  .strictObject({
    es1: levelSchema(2 * hour, [{ channel: 'wecom', to: '@supervisor' }], {}, 'ES-1: paid and not assigned to a warehouse or line'),
    es2: levelSchema(4 * hour, [{ channel: 'sms', to: '@location' }], {}, 'ES-2: assigned and not started'),
    es3: levelSchema(12 * hour, [], { pause: z.boolean().default(true) }, 'ES-3: started and no progress; pauses dispatch there'),
    es4: levelSchema(24 * hour, [], { freezePayouts: z.boolean().default(true) }, 'ES-4: packed and not shipped; freezes payouts'),
    es5: levelSchema(
      30 * minute,
      [
        { channel: 'wecom', to: '@location' },
        { channel: 'email', to: '@operations' },
      ],
      {},
      'ES-5: from dispatch until shipped, no status change and no tracking number',
    ),
    es5b: levelSchema(60 * minute, [], { pin: z.literal(true).default(true) }, 'ES-5, still nothing: the manual-review queue'),
    fs2: levelSchema(15 * minute, [{ channel: 'wecom', to: '@operations' }], {}, 'FS-2: write-back not confirmed after shipment'),
    fs3: levelSchema(4 * hour, [{ channel: 'wecom', to: '@operations' }], {}, 'FS-3: tracking trail silent'),
  })
  .superRefine((policy, ctx) => {
    // Both steps count from the same last change, so the pin must come after the first warning.
    if (policy.es5b.after > policy.es5.after) return;
    ctx.addIssue({
      code: 'custom',
      path: ['es5b', 'after'],
      message: `must be longer than es5.after (${formatDuration(policy.es5.after)}): the manual-review pin follows the warning`,
    });
  });
/** A validated escalation policy; every `after` is in seconds. */
export type EscalationPolicy = z.infer<typeof escalationPolicySchema>;

/** The policy when nothing is configured: the seeds' thresholds. */
export const defaultEscalationPolicy: EscalationPolicy = escalationPolicySchema.parse({});

/** A warehouse or drop-ship supplier an escalation waits on. */
export const escalationLocationSchema = z.object({ kind: shipmentKindSchema, id: z.string().trim().min(1).max(64) });

/** What an override changes, as written: durations in any accepted form; anything left out is inherited. */
export const escalationOverrideSettingsSchema = z.custom<DeepPartial<z.input<typeof escalationPolicySchema>>>(
  (value) => isPlainObject(value),
  'an object of escalation settings',
);

/**
 * A change to the policy for a brand, a channel, a warehouse or supplier, or a mix. Its settings are validated on top of
 * the defaults (errors name paths inside settings) and stored normalised, durations in seconds.
 */
export const escalationOverrideSchema = z
  .object({
    id: z.string().trim().min(1).max(64),
    brand: canonicalOrderSchema.shape.brand.optional(),
    channel: channelSchema.optional(),
    location: escalationLocationSchema.optional(),
    settings: escalationOverrideSettingsSchema,
  })
  .transform((override, ctx) => {
    const issues: Array<{ path: PropertyKey[]; message: string }> = [];
    if (override.brand === undefined && override.channel === undefined && override.location === undefined) {
      issues.push({ path: ['brand'], message: 'an override needs a brand, a channel, a location or a mix' });
    }
    if (override.location !== undefined && override.settings.es1 !== undefined) {
      issues.push({
        path: ['settings', 'es1'],
        message: 'ES-1 happens before routing, so a warehouse or supplier override cannot change it',
      });
    }
    const merged = escalationPolicySchema.safeParse(mergeSettings<unknown>(defaultEscalationPolicy, override.settings));
    for (const issue of merged.error?.issues ?? []) issues.push({ path: ['settings', ...issue.path], message: issue.message });
    if (!merged.success || issues.length > 0) {
      for (const issue of issues) ctx.issues.push({ code: 'custom', input: override, ...issue });
      return z.NEVER;
    }
    return { ...override, settings: normalisedPatch(merged.data, override.settings) as DeepPartial<EscalationPolicy> };
  });
/** A validated escalation override. */
export type EscalationOverride = z.infer<typeof escalationOverrideSchema>;

/** The stored escalation settings: a base for everyone and overrides; override ids are unique, as resolutions name them. */
export const escalationSettingsSchema = layeredSettingsSchema(escalationPolicySchema, escalationOverrideSchema);
/** Stored escalation settings. */
export type EscalationSettings = z.infer<typeof escalationSettingsSchema>;

/** What a policy is resolved for: an order (before routing) or one of its shipments (with its location). */
export const escalationTargetSchema = z.object({
  brand: canonicalOrderSchema.shape.brand,
  channel: channelSchema,
  location: escalationLocationSchema.optional(),
});
/** A resolution target. */
export type EscalationTarget = z.infer<typeof escalationTargetSchema>;

/** The policy in force for a target, the override ids that shaped it (least specific first) and the settings version. */
export interface ResolvedEscalationPolicy {
  policy: EscalationPolicy;
  appliedOverrides: string[];
  version: number;
}

/** The parsed values at exactly the paths the patch sets, so a stored override holds seconds, not "2h". */
function normalisedPatch(parsed: unknown, patch: unknown): unknown {
  if (!isPlainObject(parsed) || !isPlainObject(patch)) return parsed;
  const keys = Object.keys(patch).filter((key) => patch[key] !== undefined && Object.hasOwn(parsed, key));
  return Object.fromEntries(keys.map((key) => [key, normalisedPatch(parsed[key], patch[key])]));
}

/** The levels, in the order they are listed when two fall due at once. */
export const escalationLevelIdSchema = z.enum(escalationLevelIds);

/**
 * The EscalationLevel search attribute: 0 when not escalated, else the highest of ES-1…ES-4 fired (1…4). ES-5, its
 * manual-review step, FS-2 and FS-3 leave the number alone; the pinning ones set NeedsAttention with an attention reason.
 */
export const escalationLevelSchema = z.literal([0, 1, 2, 3, 4]);

/** Why a level pinned the order for a person (NeedsAttention); not a hold: stock and shipping carry on. */
export const attentionReasonSchema = z.enum(['STUCK_MANUAL_REVIEW', 'WRITE_BACK_LATE', 'TRACKING_SILENT']);
/** An attention reason. */
export type AttentionReason = z.infer<typeof attentionReasonSchema>;

/** Where an order (before routing) or a shipment (after) stands, as far as escalation cares. */
export const escalationStageSchema = z.enum(escalationStages);

/** The facts the deadlines are computed from, as a schema (for messages and stored state). */
export const escalationStateSchema = z.object({
  stage: escalationStageSchema,
  since: instantSchema,
  lastChangeAt: instantSchema,
  hasTracking: z.boolean(),
  writeBackConfirmed: z.boolean().optional(),
  firedLevels: z.array(escalationLevelIdSchema),
});

export {
  escalationLevelOf,
  enterStage,
  nextDeadlines,
  recordChange,
  type EscalationAction,
  type EscalationDeadline,
  type EscalationLevel,
  type EscalationLevelId,
  type EscalationStage,
  type EscalationState,
} from './escalationDeadlines';

/** Where an override applies: a brand, a channel, a warehouse or supplier, or a mix. */
export type EscalationScope = Pick<EscalationOverride, 'brand' | 'channel' | 'location'>;

/**
 * Which running orders a new policy version can time differently: everyone when the base changed, else the scopes of
 * the overrides added, changed, moved (ties go to the later one) or removed. Empty when nothing that times an order
 * changed.
 */
export function escalationAudience(previous: EscalationSettings, next: EscalationSettings): 'everyone' | EscalationScope[] {
  if (JSON.stringify(previous.base) !== JSON.stringify(next.base)) return 'everyone';
  const placed = (settings: EscalationSettings) => new Map(settings.overrides.map((o, index) => [o.id, JSON.stringify([index, o])]));
  const before = placed(previous);
  const after = placed(next);
  const changed = [...previous.overrides, ...next.overrides].filter((o) => before.get(o.id) !== after.get(o.id));
  const scopes = new Map(
    changed.map(({ brand, channel, location }) => [JSON.stringify([brand, channel, location]), { brand, channel, location }]),
  );
  return [...scopes.values()].map((scope) => JSON.parse(JSON.stringify(scope)) as EscalationScope);
}
