/** Turns what routing saw into the explanation support reads: fallbacks, unroutable lines, one summary line (RT-6). */
import type { RoutingPlan } from './actions';
import type { Allocation } from './allocation';
import type { Candidate, Demand } from './candidates';
import type { Fallback, FallbackReason, RoutingDecision, UnroutableLine } from './decision';
import { regionLabel, type Region } from './regions';

/** Why routing passed a candidate over, with the SKU that decided it. */
function whyNot(candidate: Candidate): { reason: FallbackReason; sku?: string } | undefined {
  if (candidate.exclusion) return { reason: candidate.exclusion };
  const out = candidate.stock.find((s) => s.verdict === 'OUT_OF_STOCK');
  if (out) return { reason: 'OUT_OF_STOCK', sku: out.sku };
  const low = candidate.stock.find((s) => s.verdict === 'BELOW_SAFETY_THRESHOLD');
  return low ? { reason: 'BELOW_SAFETY_THRESHOLD', sku: low.sku } : undefined;
}

/**
 * The fallbacks taken: a chain through every unused candidate ranked above the primary warehouse (ending in
 * null when nothing could ship), then one step from the primary to each warehouse that took the rest (RT-5).
 */
export function fallbacksOf(candidates: readonly Candidate[], allocation: Allocation): Fallback[] {
  const used = new Set(allocation.shipments.map((s) => s.candidate));
  const [primary, ...others] = allocation.shipments;
  const end = primary ? candidates.indexOf(primary.candidate) : candidates.length;
  const skipped = candidates.slice(0, end).flatMap((c) => {
    const why = used.has(c) ? undefined : whyNot(c);
    return why ? [{ from: c.warehouseId, ...why }] : [];
  });
  const chain = skipped.map((step, i) => ({ ...step, to: skipped[i + 1]?.from ?? primary?.candidate.warehouseId ?? null }));
  const splits = primary
    ? others.map((other) => ({
        from: primary.candidate.warehouseId,
        to: other.candidate.warehouseId,
        reason: 'OUT_OF_STOCK' as const,
        sku: other.demands[0]?.sku,
      }))
    : [];
  return [...chain, ...splits].map(({ from, to, reason, sku }) => ({ from, to, reason, ...(sku ? { sku } : {}) }));
}

const reasonTexts: Record<FallbackReason, string> = {
  EXCLUDED_BY_RULE: 'excluded by rule',
  UNKNOWN_WAREHOUSE: 'not a known warehouse',
  DISABLED: 'disabled',
  PAUSED: 'paused',
  OVER_CAPACITY: 'over daily capacity',
  OUT_OF_STOCK: 'out of stock',
  BELOW_SAFETY_THRESHOLD: 'below safety threshold',
};

/** A reason as support would say it, e.g. "below safety threshold for SKU X". */
function reasonText(reason: FallbackReason, sku?: string): string {
  return sku ? `${reasonTexts[reason]} for SKU ${sku}` : reasonTexts[reason];
}

/** Why one demand could not be placed: the required warehouse failed, nothing could ship, or nobody had stock. */
function unplaced(plan: RoutingPlan, candidates: readonly Candidate[], demand: Demand): Pick<UnroutableLine, 'reason' | 'detail'> {
  const usable = candidates.filter((c) => !c.exclusion);
  if (plan.required) {
    const exclusion = candidates[0]?.exclusion;
    const why = exclusion ? reasonText(exclusion) : `short of ${demand.quantity} × SKU ${demand.sku}`;
    return {
      reason: 'REQUIRED_WAREHOUSE_UNAVAILABLE',
      detail: `rule ${plan.required.ruleId} requires ${plan.required.warehouseId}, which is ${why}`,
    };
  }
  if (candidates.length === 0) return { reason: 'NO_CANDIDATE_WAREHOUSE', detail: 'no warehouse is listed for this region' };
  if (usable.length === 0) {
    const down = candidates.map((c) => `${c.warehouseId} ${c.exclusion ? reasonText(c.exclusion) : ''}`.trim());
    return { reason: 'NO_CANDIDATE_WAREHOUSE', detail: `no candidate can ship: ${down.join(', ')}` };
  }
  const available = usable.map((c) => `${c.warehouseId} ${c.stock.find((s) => s.sku === demand.sku)?.available ?? 0}`);
  return { reason: 'OUT_OF_STOCK', detail: `need ${demand.quantity} × SKU ${demand.sku}; available: ${available.join(', ')}` };
}

/** The unroutable lines of uncovered demands, each saying why no warehouse could take it. */
export function unroutableOf(plan: RoutingPlan, candidates: readonly Candidate[], uncovered: readonly Demand[]): UnroutableLine[] {
  return uncovered.flatMap((demand) => {
    const entry = unplaced(plan, candidates, demand);
    return demand.lineIds.map((lineId) => ({ lineId, sku: demand.sku, ...entry }));
  });
}

/** What the summary needs beyond the decision itself. */
export interface SummaryInput {
  readonly region: Region | undefined;
  readonly province: string;
  readonly candidates: readonly Candidate[];
  readonly allocation: Allocation;
  readonly decision: Omit<RoutingDecision, 'explanation'>;
  readonly matchedRuleIds: readonly string[];
}

/** One line, e.g. "East China → Suzhou below safety threshold for SKU X → Hefei; promised 2 days". */
export function summaryOf(input: SummaryInput, fallbacks: readonly Fallback[]): string {
  const { region, province, candidates, allocation, decision } = input;
  const nameOf = (id: string) => candidates.find((c) => c.warehouseId === id)?.warehouse?.name ?? id;
  const first = candidates[0];
  const origin = (region ? regionLabel(region) : `${province} (no region)`) + (first?.ruleId ? ` via rule ${first.ruleId}` : '');
  const parts: string[] = [];
  if (candidates.length > 0 || allocation.uncovered.length > 0) {
    const chain = fallbacks.filter((f) => !allocation.shipments.some((s) => s.candidate.warehouseId === f.from));
    const steps = chain.map((f) => `${nameOf(f.from)} ${reasonText(f.reason, f.sku)}`);
    const split = allocation.shipments.length > 1;
    const targets = allocation.shipments.map((s) => {
      const low = s.candidate.stock.find((seen) => seen.verdict === 'BELOW_SAFETY_THRESHOLD');
      const note = [split ? s.demands.map((d) => `SKU ${d.sku}`).join(', ') : '', low ? reasonText('BELOW_SAFETY_THRESHOLD', low.sku) : '']
        .filter(Boolean)
        .join('; ');
      return note ? `${s.warehouse.name} (${note})` : s.warehouse.name;
    });
    parts.push([origin, ...steps, targets.length > 0 ? targets.join(' + ') : 'no warehouse'].join(' → '));
  }
  for (const s of decision.shipments) if (s.kind === 'supplier') parts.push(`drop-ship ${s.locationId} (lines ${s.lineIds.join(', ')})`);
  if (decision.unroutable.length > 0)
    parts.push(`unroutable: ${decision.unroutable.map((u) => `line ${u.lineId} SKU ${u.sku} (${u.reason})`).join(', ')}`);
  if (decision.queues.length > 0) parts.push(`queues: ${decision.queues.join(', ')}`);
  for (const flag of decision.flags) parts.push(`flagged ${flag.color}: ${flag.note}`);
  if (decision.promisedDeliveryDays !== null)
    parts.push(`promised ${decision.promisedDeliveryDays} day${decision.promisedDeliveryDays === 1 ? '' : 's'}`);
  if (input.matchedRuleIds.length > 0) parts.push(`rules: ${input.matchedRuleIds.join(', ')}`);
  return parts.join('; ');
}
