/**
 * The escalation policy in force for an order or one of its shipments, resolved from the stored settings. Free of zod
 * (types only from ./escalation), so the sixth design's watcher resolves each location's policy in the workflow from the
 * settings its order was received with, instead of reading it in an activity of its own.
 */
import type { EscalationOverride, EscalationSettings, EscalationTarget, ResolvedEscalationPolicy } from './escalation';
import { mergeSettings } from './settingsMerge';

/** Applies the matching overrides on top of the base: location beats brand beats channel; ties go to the later one. */
export function resolveEscalationPolicy(stored: EscalationSettings, target: EscalationTarget, version: number): ResolvedEscalationPolicy {
  const applicable = stored.overrides.filter((override) => matches(override, target)).sort((a, b) => specificity(a) - specificity(b));
  const policy = applicable.reduce((current, override) => mergeSettings(current, override.settings), stored.base);
  return { policy, appliedOverrides: applicable.map((override) => override.id), version };
}

function matches(override: EscalationOverride, target: EscalationTarget): boolean {
  if (override.brand !== undefined && override.brand !== target.brand) return false;
  if (override.channel !== undefined && override.channel !== target.channel) return false;
  if (override.location === undefined) return true;
  return override.location.kind === target.location?.kind && override.location.id === target.location.id;
}

/** location (4) + brand (2) + channel (1): a warehouse's or supplier's own terms are the most specific. */
function specificity(override: EscalationOverride): number {
  return (override.location ? 4 : 0) + (override.brand ? 2 : 0) + (override.channel ? 1 : 0);
}
