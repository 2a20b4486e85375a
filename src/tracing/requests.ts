/** A server span per API request, active while the request is handled, so the Temporal client's spans join its trace. */
import { context, isSpanContextValid, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { RequestHandler } from 'express';

const tracer = trace.getTracer('order-hub-api');

/**
 * Express middleware, mounted first. Each request starts a new trace: a caller's `traceparent` is kept as a link,
 * not continued, so an outside party cannot choose the trace id an order is followed by. With tracing off the
 * span is invalid and the request passes straight on.
 */
export function traceRequests(): RequestHandler {
  return (req, res, next) => {
    const caller = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, req.headers));
    const span = tracer.startSpan(
      req.method,
      {
        kind: SpanKind.SERVER,
        root: true,
        links: caller ? [{ context: caller }] : [],
        attributes: { [ATTR_HTTP_REQUEST_METHOD]: req.method, [ATTR_URL_PATH]: req.path },
      },
      ROOT_CONTEXT,
    );
    if (!isSpanContextValid(span.spanContext())) return next();
    const active = trace.setSpan(ROOT_CONTEXT, span);
    // Body parsing resumes on the socket's callbacks, outside this call: the request's own events carry the span on.
    context.bind(active, req);
    context.bind(active, res);
    res.once('finish', () => {
      // The route pattern, not the path: span names stay few however many orders there are.
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : undefined;
      if (route) span.updateName(`${req.method} ${route}`).setAttribute(ATTR_HTTP_ROUTE, route);
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(active, next);
  };
}
