/**
 * OpenTelemetry tracing of one process (API or worker): spans go over OTLP/HTTP to `OTEL_EXPORTER_OTLP_ENDPOINT`.
 * Off unless that is set: then no provider is registered and every span call below lands on the API's no-op tracer.
 */
import { isSpanContextValid, trace, TraceFlags } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/** How a process traces. */
export interface TracingOptions {
  /** The `service.name` of its spans, e.g. `order-hub-api`. */
  serviceName: string;
  /** OTLP/HTTP base URL; spans are posted to `<endpoint>/v1/traces`. Unset (and no exporter): tracing is off. */
  otlpEndpoint?: string;
  /** Where spans go instead of OTLP (an in-memory exporter in a test). */
  exporter?: SpanExporter;
}

/** A process's tracing: off, or on with the processor and resource the worker's workflow span sink needs too. */
export type Tracing =
  | { enabled: false; flush(): Promise<void>; shutdown(): Promise<void> }
  | { enabled: true; resource: Resource; spanProcessor: SpanProcessor; flush(): Promise<void>; shutdown(): Promise<void> };

/** The OTLP/HTTP traces URL of a base endpoint, as the OTLP exporter specification builds it. */
export function tracesUrlOf(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/** Tracing when nothing is configured: nothing registered, nothing to flush. */
export const tracingOff: Tracing = { enabled: false, flush: async () => undefined, shutdown: async () => undefined };

/**
 * Starts tracing for the process when an endpoint or exporter is given: registers the global tracer provider, the
 * async-hooks context manager (so a span follows its request across awaits) and the W3C trace-context propagator.
 * Call once per process, before the HTTP server or the Temporal client and worker are created.
 */
export function startTracing(options: TracingOptions): Tracing {
  const exporter =
    options.exporter ?? (options.otlpEndpoint ? new OTLPTraceExporter({ url: tracesUrlOf(options.otlpEndpoint) }) : undefined);
  if (!exporter) return tracingOff;
  const resource = new Resource({ [ATTR_SERVICE_NAME]: options.serviceName });
  // Batched: a span's end costs a queue push, not a network round trip on the order path.
  const spanProcessor = new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return {
    enabled: true,
    resource,
    spanProcessor,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** The trace id of the active span when it is sampled (exported), else undefined: a trace id that leads nowhere helps no one. */
export function activeTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  return spanContext.traceFlags & TraceFlags.SAMPLED ? spanContext.traceId : undefined;
}
