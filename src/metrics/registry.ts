/** The one Prometheus registry of a process (API or worker): the hub's metrics and Node's defaults, rendered for scraping. */
import { collectDefaultMetrics, Registry } from 'prom-client';

/** The process's registry; every hub metric registers here once, so each process exposes one consistent set. */
export const registry = new Registry();

// Event-loop lag, heap, GC and CPU of the process: what to check first when the hub slows down.
collectDefaultMetrics({ register: registry });

/** The content type of the Prometheus text exposition format. */
export const metricsContentType = registry.contentType;

/** Every metric of the process in Prometheus text exposition format. */
export function metricsText(): Promise<string> {
  return registry.metrics();
}
