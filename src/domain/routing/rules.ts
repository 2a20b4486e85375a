/** Routing rules as data (RT-2): conditions over order attributes, actions on the routing decision. */
import { z } from 'zod';
import { minorUnitsSchema } from '../money';
import { channelSchema, paymentStatusSchema } from '../order';
import { instantSchema } from '../primitives';
import { regionSchema } from './regions';
import { timeZoneSchema } from './timeZones';

const code = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only');
/** A warehouse id, e.g. `suzhou`. */
export const warehouseIdSchema = code;
/** A drop-ship supplier id. */
export const supplierIdSchema = code;

const textFields = ['channel', 'brand', 'category', 'sku', 'province', 'region', 'tag', 'paymentStatus'] as const;
const numberFields = ['amount', 'lineCount', 'sizeCombinationCount', 'dueInDays'] as const;
const instantFields = ['paidAt', 'createdAt'] as const;

/**
 * Order attributes a condition can test; `category`, `sku` and `tag` hold when any line or tag matches.
 * `amount` is the paid amount in integer minor units (fen), like every amount inside the hub: 100000 = 1000.00.
 */
export const conditionFieldSchema = z.enum([...textFields, ...numberFields, ...instantFields]);
/** An order attribute a condition can test. */
export type ConditionField = z.infer<typeof conditionFieldSchema>;

/** Comparison operators; `ne` and `notIn` are exactly `not eq` and `not in`. */
export const conditionOpSchema = z.enum(['eq', 'ne', 'in', 'notIn', 'gt', 'gte', 'lt', 'lte', 'startsWith', 'contains']);
/** A comparison operator. */
export type ConditionOp = z.infer<typeof conditionOpSchema>;

/** A wall-clock time in a named zone, so "before 12:00 Beijing time" never runs 8 h off (IN-3). */
export const localTimeValueSchema = z.strictObject({
  localTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'HH:mm or HH:mm:ss, 00-23 hours'),
  timeZone: timeZoneSchema,
});
/** A calendar date in a named zone. */
export const localDateValueSchema = z.strictObject({ localDate: z.iso.date(), timeZone: timeZoneSchema });

const valueShapes = 'text, a number, a list of either, { localTime, timeZone } or { localDate, timeZone }';
/** What a condition compares with; which shape fits which field and operator is checked per leaf. */
export const conditionValueSchema = z.union(
  [
    z.string().min(1).max(64),
    z.number(),
    z.array(z.string().min(1).max(64)).min(1).max(500),
    z.array(z.number()).min(1).max(500),
    localTimeValueSchema,
    localDateValueSchema,
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? `expected ${valueShapes}` : undefined) },
);

type FieldKind = 'text' | 'number' | 'instant';
const kindOf = (field: ConditionField): FieldKind =>
  (textFields as readonly string[]).includes(field) ? 'text' : (numberFields as readonly string[]).includes(field) ? 'number' : 'instant';
const opsByKind: Record<FieldKind, readonly ConditionOp[]> = {
  text: ['eq', 'ne', 'in', 'notIn', 'startsWith', 'contains'],
  number: ['eq', 'ne', 'in', 'notIn', 'gt', 'gte', 'lt', 'lte'],
  instant: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte'],
};
// Closed vocabularies are checked here so a typo such as "mini-program" fails at save, not silently at run time.
const knownValues: Partial<Record<ConditionField, readonly string[]>> = {
  channel: channelSchema.options,
  paymentStatus: paymentStatusSchema.options,
  region: regionSchema.options,
};

/** Why a value does not fit its field and operator, or undefined when it does. */
function valueProblem(field: ConditionField, op: ConditionOp, value: unknown): string | undefined {
  const kind = kindOf(field);
  if (kind === 'instant') {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return undefined;
    if (typeof value === 'string' && instantSchema.safeParse(value).success) return undefined;
    return `${field} expects an instant with an explicit offset (2026-02-03T12:00:00+08:00), or { localTime | localDate, timeZone }`;
  }
  const scalar = kind === 'number' ? 'number' : 'string';
  const list = op === 'in' || op === 'notIn';
  const expected = list ? `a list of ${scalar}s` : `a single ${scalar}`;
  const values: unknown[] = Array.isArray(value) ? value : [value];
  if (list !== Array.isArray(value) || !values.every((v) => typeof v === scalar)) return `${field} ${op} expects ${expected}`;
  if (field === 'amount' && !values.every((v) => minorUnitsSchema.safeParse(v).success)) {
    return 'amount is in minor units (fen: 100000 = 1000.00): expects whole numbers from 0';
  }
  const known = op === 'startsWith' || op === 'contains' ? undefined : knownValues[field];
  const unknown = known && values.find((v) => !known.includes(String(v).toLowerCase()));
  return unknown === undefined ? undefined : `"${String(unknown)}" is not a known ${field} (${known?.join(', ')})`;
}

/** A single comparison, e.g. `{ field: 'channel', op: 'eq', value: 'douyin' }`. */
export const conditionLeafSchema = z
  .strictObject({ field: conditionFieldSchema, op: conditionOpSchema, value: conditionValueSchema })
  .superRefine((leaf, ctx) => {
    const ops = opsByKind[kindOf(leaf.field)];
    if (!ops.includes(leaf.op)) {
      ctx.addIssue({ code: 'custom', path: ['op'], message: `${leaf.op} does not apply to ${leaf.field}; use ${ops.join(', ')}` });
      return;
    }
    const problem = valueProblem(leaf.field, leaf.op, leaf.value);
    if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: problem });
  });
/** A single comparison. */
export type ConditionLeaf = z.infer<typeof conditionLeafSchema>;

/** A condition tree; written by hand because TypeScript cannot infer a recursive schema's type. */
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | ConditionLeaf;

const notACondition = 'not a condition: ';

/** Names the branch the author meant (by its key) and the deepest problem in it, so a union failure still says where. */
function conditionError(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  const input = issue.input;
  const keys = typeof input === 'object' && input !== null ? Object.keys(input) : [];
  const branch = keys.includes('all') ? 0 : keys.includes('any') ? 1 : keys.includes('not') ? 2 : 3;
  const first = keys.length > 0 ? issue.errors[branch]?.[0] : undefined;
  if (!first) return `${notACondition}expected { all }, { any }, { not } or { field, op, value }`;
  // A nested condition already named its own relative path: join the two so the message carries the full path.
  const nested = first.message.startsWith(notACondition) ? first.message.slice(notACondition.length) : undefined;
  const path = first.path.join('.');
  if (nested !== undefined) return `${notACondition}${path}.${nested}`;
  return `${notACondition}${path || '(here)'}: ${first.message}`;
}

/**
 * Limits on rule documents, checked by an iterative walk before the recursive parse, so a hostile or mistaken
 * document (a `not` chain thousands deep, an `all` of a million leaves) is a 400 naming the limit rather than a
 * stack overflow. Each condition level adds about two levels of document nesting (an object, and an array for
 * all/any), so 32 levels stay far below what the database accepts (FerretDB refuses documents nested ~500 deep);
 * 2,000 conditions are far more than any real rule set needs (the RT-2 examples use a few dozen).
 */
export const ruleLimits = {
  /** Condition levels from a rule's `when` down to its deepest comparison; a lone comparison is one level. */
  maxConditionDepth: 32,
  /** Conditions (every all, any, not and comparison) in one rule set, or in one condition parsed alone. */
  maxConditionNodes: 2_000,
} as const;

const tooDeep = `conditions may nest at most ${ruleLimits.maxConditionDepth} levels deep (each all, any and not is one level)`;
const tooMany = `a rule set may hold at most ${ruleLimits.maxConditionNodes} conditions (each all, any, not and comparison counts one)`;

const hasOwn = (value: object, key: string): boolean => Object.prototype.hasOwnProperty.call(value, key);

/**
 * Walks a condition tree without recursion and says which limit it breaks, if any. It stops as soon as a limit is
 * passed, so any input costs at most `nodeBudget` steps. `nodeBudget` is what is left of the rule set's allowance.
 */
function conditionLimitProblem(root: unknown, nodeBudget: number): { problem?: string; nodes: number } {
  const stack: Array<[node: unknown, depth: number]> = [[root, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    nodes += 1;
    if (depth > ruleLimits.maxConditionDepth) return { problem: tooDeep, nodes };
    if (nodes > nodeBudget) return { problem: tooMany, nodes };
    if (typeof node !== 'object' || node === null || Array.isArray(node)) continue;
    const children: unknown[] = [];
    for (const key of ['all', 'any'] as const) {
      const list: unknown = hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
      if (Array.isArray(list)) children.push(...list.slice(0, nodeBudget + 1));
    }
    if (hasOwn(node, 'not')) children.push((node as { not: unknown }).not);
    // More children than the budget has left is over the limit however shallow they are.
    if (nodes + stack.length + children.length > nodeBudget) return { problem: tooMany, nodes: nodeBudget + 1 };
    for (const child of children) stack.push([child, depth + 1]);
  }
  return { nodes };
}

/** The recursive condition tree; reached only through `conditionSchema`, whose size check runs first. */
const conditionTreeSchema: z.ZodType<Condition, Condition> = z.lazy(() =>
  z.union(
    [
      z.strictObject({ all: z.array(conditionSchema).min(1).max(100) }),
      z.strictObject({ any: z.array(conditionSchema).min(1).max(100) }),
      z.strictObject({ not: conditionSchema }),
      conditionLeafSchema,
    ],
    { error: conditionError },
  ),
);

/**
 * A condition: `{ all: [...] }`, `{ any: [...] }`, `{ not: ... }` or a leaf comparison. Its depth and size are
 * checked (`ruleLimits`) before the recursive parse; a tree over a limit gets one issue naming the limit.
 */
export const conditionSchema: z.ZodType<Condition, Condition> = z.preprocess((value: Condition, ctx) => {
  const { problem } = conditionLimitProblem(value, ruleLimits.maxConditionNodes);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
  return value;
}, conditionTreeSchema);

/** Work queues an order can be put in (RT-3 plus the quick-response line and BOM check of RT-2). */
export const routingQueueSchema = z.enum(['expedite', 'bulky', 'presale', 'dropship', 'quick-response', 'bom-check']);
/** A work queue. */
export type RoutingQueue = z.infer<typeof routingQueueSchema>;

/** Flag colours operations use on the order board. */
export const flagColorSchema = z.enum(['red', 'orange', 'yellow', 'green', 'blue', 'purple']);

/** Which lines a supplier assignment covers; both filters must match when both are given. */
export const lineFilterSchema = z
  .strictObject({ category: z.string().trim().min(1).max(64).optional(), skuPrefix: z.string().trim().min(1).max(64).optional() })
  .refine((filter) => filter.category !== undefined || filter.skuPrefix !== undefined, 'give a category, a skuPrefix or both');

/** What a matching rule does to the routing decision. */
export const routingActionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('preferWarehouses'), warehouseIds: z.array(warehouseIdSchema).min(1).max(50) }),
  z.strictObject({ type: z.literal('requireWarehouse'), warehouseId: warehouseIdSchema }),
  z.strictObject({ type: z.literal('excludeWarehouses'), warehouseIds: z.array(warehouseIdSchema).min(1).max(50) }),
  z.strictObject({ type: z.literal('assignSupplier'), supplierId: supplierIdSchema, lines: lineFilterSchema.optional() }),
  z.strictObject({ type: z.literal('setQueue'), queue: routingQueueSchema }),
  z.strictObject({ type: z.literal('setPriority'), priority: z.number().int().min(0).max(1000) }),
  z.strictObject({ type: z.literal('flag'), color: flagColorSchema, note: z.string().trim().min(1).max(200) }),
]);
/** A routing action. */
export type RoutingAction = z.infer<typeof routingActionSchema>;

/** One routing rule; lower `priority` is evaluated first, `stop` ends evaluation when it matches. */
export const routingRuleSchema = z.strictObject({
  id: code,
  name: z.string().trim().min(1).max(120),
  priority: z.number().int().min(0).max(1_000_000),
  enabled: z.boolean().default(true),
  when: conditionSchema,
  then: z.array(routingActionSchema).min(1).max(50),
  stop: z.boolean().optional(),
});
/** A validated routing rule. */
export type RoutingRule = z.infer<typeof routingRuleSchema>;

const ruleListSchema = z.array(routingRuleSchema).max(1000);

/** The rule list, with the conditions of all its rules counted together against `ruleLimits` before any rule is parsed. */
const limitedRuleListSchema = z.preprocess((rules: z.input<typeof ruleListSchema>, ctx) => {
  if (!Array.isArray(rules)) return rules;
  let budget: number = ruleLimits.maxConditionNodes;
  for (const [index, rule] of rules.entries()) {
    if (typeof rule !== 'object' || rule === null || !hasOwn(rule, 'when')) continue;
    const { problem, nodes } = conditionLimitProblem(rule.when, budget);
    if (problem) {
      ctx.addIssue({ code: 'custom', path: [index, 'when'], message: problem, input: rule.when });
      break;
    }
    budget -= nodes;
  }
  return rules;
}, ruleListSchema);

/** A versioned set of rules, edited at run time; the version is recorded with every decision (RT-6). Limits: `ruleLimits`. */
export const routingRuleSetSchema = z
  .strictObject({ id: code, version: z.number().int().nonnegative(), rules: limitedRuleListSchema })
  .superRefine((set, ctx) => {
    const seen = new Set<string>();
    set.rules.forEach((rule, index) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', index, 'id'], message: `duplicate rule id ${rule.id}` });
      seen.add(rule.id);
    });
  });
/** A validated rule set. */
export type RoutingRuleSet = z.infer<typeof routingRuleSetSchema>;
/** A rule set as authored, before defaults are applied. */
export type RoutingRuleSetInput = z.input<typeof routingRuleSetSchema>;
