/**
 * Prometheus text exposition, read the way a user's Prometheus would: scrape before and after a run, take the
 * difference of counters and histogram buckets, and estimate quantiles as histogram_quantile() does.
 */

/** One scraped sample: metric name, labels, value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A scrape of one endpoint; `samples` is empty when the endpoint did not answer with metrics. */
export interface Scrape {
  url: string;
  ok: boolean;
  samples: Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the Prometheus text format (comments and malformed lines are skipped). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line.trim());
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[3] ?? '').matchAll(LABEL))
      labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const raw = match[4]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    if (!Number.isNaN(value)) samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/** Scrapes one endpoint; never throws. */
export async function scrape(url: string): Promise<Scrape> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    const text = await response.text();
    if (!response.ok) return { url, ok: false, samples: [] };
    return { url, ok: true, samples: parseMetrics(text) };
  } catch {
    return { url, ok: false, samples: [] };
  }
}

const key = (s: Sample) =>
  `${s.name}{${Object.entries(s.labels)
    .sort()
    .map(([k, v]) => `${k}=${v}`)
    .join(',')}}`;

/** after − before of every sample in `after` (a sample missing before counts from 0). */
export function delta(before: Sample[], after: Sample[]): Sample[] {
  const base = new Map(before.map((s) => [key(s), s.value]));
  return after.map((s) => ({ ...s, value: s.value - (base.get(key(s)) ?? 0) }));
}

/** Sum of a counter's samples whose labels match `where`; undefined when the metric is absent. */
export function counterSum(samples: Sample[], name: string, where: Record<string, string> = {}): number | undefined {
  const matching = samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v));
  return matching.length === 0 ? undefined : matching.reduce((sum, s) => sum + s.value, 0);
}

/** A counter's samples grouped by one label. */
export function counterBy(samples: Sample[], name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples.filter((x) => x.name === name)) {
    const value = s.labels[label] ?? 'total';
    out[value] = (out[value] ?? 0) + s.value;
  }
  return out;
}

/** Quantiles and count of one histogram (all label sets summed), from `<name>_bucket` samples. */
export interface HistogramFigures {
  count: number;
  /** Seconds. */
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

/** Estimates quantiles of a histogram the way PromQL's histogram_quantile does; undefined when absent or empty. */
export function histogram(samples: Sample[], name: string, where: Record<string, string> = {}): HistogramFigures | undefined {
  const buckets = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket` || !Object.entries(where).every(([k, v]) => s.labels[k] === v)) continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + s.value);
  }
  const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  const count = sorted.at(-1)?.[1] ?? 0;
  if (count <= 0) return undefined;
  const sum = counterSum(samples, `${name}_sum`, where) ?? Number.NaN;
  const quantile = (q: number) => {
    const rank = q * count;
    let previousBound = 0;
    let previousCount = 0;
    for (const [bound, cumulative] of sorted) {
      if (cumulative >= rank) {
        if (bound === Infinity) return previousBound; // as PromQL: the highest finite bound
        const inBucket = cumulative - previousCount;
        return inBucket > 0 ? previousBound + (bound - previousBound) * ((rank - previousCount) / inBucket) : bound;
      }
      previousBound = bound;
      previousCount = cumulative;
    }
    return previousBound;
  };
  return { count, p50: quantile(0.5), p95: quantile(0.95), p99: quantile(0.99), mean: sum / count };
}
