/** Layered settings merged without zod: also used inside workflows (the escalation watcher resolves its policy there). */

/** Every field optional at every depth; arrays are replaced whole, not merged. */
export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** True for a JSON object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Keys that would reach the prototype when a stored JSON document is merged.
const unsafeKeys = new Set(['__proto__', 'constructor', 'prototype']);

/** Deep-merges settings into a policy: objects field by field, everything else (arrays included) replaced. */
export function mergeSettings<T>(base: T, patch: NoInfer<DeepPartial<T>> | undefined): T {
  if (patch === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch as T;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || unsafeKeys.has(key)) continue;
    merged[key] = mergeSettings(base[key], value);
  }
  return merged as T;
}
