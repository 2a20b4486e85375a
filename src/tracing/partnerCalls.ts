/** A client span per HTTP call to a partner, and the W3C `traceparent` header that lets a tracing partner join the trace. */
import { context, createContextKey, isSpanContextValid, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';

const tracer = trace.getTracer('order-hub-partners');
const partnerKey = createContextKey('orderhub.partner');

/** The partner's name on its call spans (`orderhub.partner`), e.g. `channel:tmall`. */
export const ATTR_PARTNER = 'orderhub.partner';
/** The generic reading of the partner's answer (`delivered`, `retry`, `refused`); an adapter may read more into it. */
export const ATTR_PARTNER_OUTCOME = 'orderhub.partner.outcome';

/** Runs `fn` with `partner` as the name recorded on the partner calls it makes (the URL's host otherwise). */
export function withPartner<T>(partner: string, fn: () => T): T {
  return context.with(context.active().setValue(partnerKey, partner), fn);
}

/** What a call's span records of its answer. */
export interface PartnerCallResult {
  status?: number;
  outcome: 'delivered' | 'retry' | 'refused';
  reason?: string;
}

/** A request as the span describes it. */
interface PartnerCallRequest {
  url: string;
  method: string;
  headers?: Record<string, string>;
}

/**
 * Runs `call` inside a client span named `METHOD host`, handing it the request's headers with `traceparent` added.
 * Only the host and path are recorded: query strings carry partners' keys and signatures.
 */
export async function tracePartnerCall<T>(
  request: PartnerCallRequest,
  call: (headers: Record<string, string> | undefined) => Promise<T>,
  describe: (result: T) => PartnerCallResult,
): Promise<T> {
  return tracer.startActiveSpan('partner call', { kind: SpanKind.CLIENT }, async (span) => {
    // Tracing off: the span is the no-op one and the request goes out exactly as built, nothing parsed.
    if (!isSpanContextValid(span.spanContext())) return call(request.headers);
    const url = URL.canParse(request.url) ? new URL(request.url) : undefined;
    const partner = context.active().getValue(partnerKey);
    span.updateName(`${request.method} ${url?.host ?? 'unknown'}`).setAttributes({
      [ATTR_PARTNER]: typeof partner === 'string' ? partner : (url?.host ?? 'unknown'),
      [ATTR_HTTP_REQUEST_METHOD]: request.method,
      [ATTR_SERVER_ADDRESS]: url?.hostname ?? 'unknown',
      ...(url?.port ? { [ATTR_SERVER_PORT]: Number(url.port) } : {}),
      ...(url ? { [ATTR_URL_PATH]: url.pathname } : {}),
    });
    try {
      const headers = { ...request.headers };
      propagation.inject(context.active(), headers);
      const result = await call(headers);
      const { status, outcome, reason } = describe(result);
      if (status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      span.setAttribute(ATTR_PARTNER_OUTCOME, outcome);
      if (outcome !== 'delivered') span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
      return result;
    } finally {
      span.end();
    }
  });
}
