/** Rule conditions evaluated against an order's facts, in memory (RT-2, LD-2). */
import { type CanonicalOrder } from '../order';
import { instantSchema } from '../primitives';
import { canonicalProvince, regionOfProvince } from './regions';
import type { Condition, ConditionField, ConditionLeaf, RoutingRule, RoutingRuleSet } from './rules';
import { localDateTimeIn, normalizeClock } from './timeZones';

/**
 * Every attribute a condition can test, as a list: multi-valued fields (category, sku, tag) hold one entry
 * per distinct value, a missing one (no paidAt, unknown region, no due date) is empty. Text is lower-cased
 * because channels differ in casing; instants are epoch milliseconds; `amount` is the paid amount in integer
 * minor units (fen), the unit of rule values on `amount` too.
 */
export type OrderFacts = Readonly<Record<ConditionField, readonly (string | number)[]>>;

const dayMs = 86_400_000;
const dueTagPrefix = 'due:';

/** The order's due instant: the context's `dueAt`, else a `due:<instant with offset>` tag, else none. */
export function dueAtOf(order: CanonicalOrder, dueAt: string | undefined): string | undefined {
  if (dueAt) return dueAt;
  const tag = order.tags.find((t) => t.startsWith(dueTagPrefix))?.slice(dueTagPrefix.length);
  return tag && instantSchema.safeParse(tag).success ? tag : undefined;
}

const lower = (values: Iterable<string>): string[] => [...new Set([...values].map((v) => v.toLowerCase()))];
const present = <T>(value: T | undefined): T[] => (value === undefined ? [] : [value]);

/**
 * The facts rules see. `sizeCombinationCount` counts distinct SKUs (a SKU is one style/colour/size variant);
 * `dueInDays` is fractional days from `now` to the due instant, so "due ≤ 3 days" means within 72 hours.
 */
export function orderFacts(order: CanonicalOrder, now: string, dueAt?: string): OrderFacts {
  const due = dueAtOf(order, dueAt);
  const region = regionOfProvince(order.shippingAddress.province);
  return {
    channel: [order.channel],
    brand: lower([order.brand]),
    category: lower(order.lines.map((line) => line.category)),
    sku: lower(order.lines.map((line) => line.sku)),
    province: [canonicalProvince(order.shippingAddress.province).toLowerCase()],
    region: present(region),
    tag: lower(order.tags),
    paymentStatus: [order.paymentStatus],
    amount: [order.amounts.paid], // minor units (fen)
    lineCount: [order.lines.length],
    sizeCombinationCount: [new Set(order.lines.map((line) => line.sku)).size],
    dueInDays: due === undefined ? [] : [(Date.parse(due) - Date.parse(now)) / dayMs],
    paidAt: order.paidAt ? [Date.parse(order.paidAt)] : [],
    createdAt: [Date.parse(order.createdAt)],
  };
}

/** A rule's value in the facts' terms: lower-cased text, canonical province, epoch ms. */
function normalizeScalar(field: ConditionField, value: string | number): string | number {
  if (typeof value === 'number') return value;
  if (field === 'paidAt' || field === 'createdAt') return Date.parse(value);
  return (field === 'province' ? canonicalProvince(value) : value).toLowerCase();
}

type Operand = string | number;

/** The rule's value in the facts' terms, computed once per leaf rather than once per fact. */
function ruleOperand(leaf: ConditionLeaf): Operand | readonly Operand[] {
  const value = leaf.value;
  if (Array.isArray(value)) return value.map((item: Operand) => normalizeScalar(leaf.field, item));
  if (typeof value === 'object') return 'localTime' in value ? normalizeClock(value.localTime) : value.localDate;
  return normalizeScalar(leaf.field, value);
}

/** One fact against the rule's operand, for the positive operators (`ne`/`notIn` are their negations). */
function compare(op: ConditionLeaf['op'], left: Operand, right: Operand | readonly Operand[]): boolean {
  if (typeof right === 'object') return right.includes(left);
  switch (op) {
    case 'gt':
      return left > right;
    case 'gte':
      return left >= right;
    case 'lt':
      return left < right;
    case 'lte':
      return left <= right;
    case 'startsWith':
      return String(left).startsWith(String(right));
    case 'contains':
      return String(left).includes(String(right));
    default:
      return left === right;
  }
}

/** A leaf holds when any fact matches; `ne`/`notIn` hold when none does (so an empty fact list matches them). */
export function leafHolds(leaf: ConditionLeaf, facts: OrderFacts): boolean {
  const value = leaf.value;
  // Clock values read each instant in the rule's own zone, never the host's (IN-3).
  const clock = typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  const right = ruleOperand(leaf);
  const view = (fact: Operand): Operand => {
    if (!clock) return fact;
    const local = localDateTimeIn(Number(fact), clock.timeZone);
    return 'localTime' in clock ? local.time : local.date;
  };
  const anyMatch = facts[leaf.field].some((fact) => compare(leaf.op, view(fact), right));
  return leaf.op === 'ne' || leaf.op === 'notIn' ? !anyMatch : anyMatch;
}

/** Whether a condition tree holds for the order's facts. */
export function conditionHolds(condition: Condition, facts: OrderFacts): boolean {
  if ('all' in condition) return condition.all.every((c) => conditionHolds(c, facts));
  if ('any' in condition) return condition.any.some((c) => conditionHolds(c, facts));
  if ('not' in condition) return !conditionHolds(condition.not, facts);
  return leafHolds(condition, facts);
}

/** Enabled rules that match, lowest priority first (ties keep rule-set order), up to the first `stop`. */
export function matchRules(ruleSet: RoutingRuleSet, facts: OrderFacts): RoutingRule[] {
  const ordered = ruleSet.rules.filter((rule) => rule.enabled).sort((a, b) => a.priority - b.priority);
  const matched: RoutingRule[] = [];
  for (const rule of ordered) {
    if (!conditionHolds(rule.when, facts)) continue;
    matched.push(rule);
    if (rule.stop) break;
  }
  return matched;
}
