/** One way to declare an endpoint: its zod schemas validate the request and document it in OpenAPI. */
import { OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { reportIdSchema } from '../domain/primitives';
import type { Access, AuthedRequest } from './auth';
import { errorBodySchema, parseOr400 } from './errors';

const idempotencyKeySchema = reportIdSchema.optional();

/** An endpoint's contract. */
export interface Endpoint<P, Q, B> {
  method: 'get' | 'post' | 'put';
  /** OpenAPI-style path, e.g. /v1/orders/{orderId}. */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  params?: z.ZodType<P>;
  /** Query parameters; give a strict object, so an unknown or operator-shaped parameter answers 400. */
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Status code → response body schema. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

/** What a handler receives: validated input and the authenticated caller. */
export interface EndpointInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  caller: AuthedRequest['caller'];
  idempotencyKey?: string;
}

/** Mounts endpoints on a router and records them in the OpenAPI registry. */
export class Api {
  readonly registry = new OpenAPIRegistry();

  constructor(
    private readonly router: Router,
    /** The middleware that admits the callers an endpoint allows. */
    private readonly guard: (access: Access) => RequestHandler[],
  ) {
    this.registry.registerComponent('securitySchemes', 'partyKey', {
      type: 'apiKey',
      in: 'header',
      name: 'X-Api-Key',
      description:
        'the key of an operations user, a warehouse (WMS), a drop-ship supplier or a carrier; each endpoint names the roles it admits',
    });
    this.registry.registerComponent('securitySchemes', 'channelSignature', {
      type: 'apiKey',
      in: 'header',
      name: 'X-OrderHub-Signature',
      description:
        'sha256=hex(HMAC-SHA256(channel secret, X-OrderHub-Timestamp + "." + raw body)); X-OrderHub-Timestamp is an ISO instant within 5 minutes.',
    });
  }

  /** Declares an endpoint. */
  endpoint<P = unknown, Q = unknown, B = unknown>(
    spec: Endpoint<P, Q, B>,
    handler: (input: EndpointInput<P, Q, B>) => Promise<{ status: number; body: unknown }>,
  ): void {
    const errors = { description: 'error', content: { 'application/json': { schema: errorBodySchema } } };
    const responses: RouteConfig['responses'] = {};
    for (const [status, response] of Object.entries(spec.responses)) {
      responses[status] = response.schema
        ? { description: response.description, content: { 'application/json': { schema: response.schema } } }
        : { description: response.description };
    }
    responses['4XX'] = errors;
    this.registry.registerPath({
      method: spec.method,
      path: spec.path,
      summary: spec.access === 'public' ? spec.summary : `${spec.summary} Callers: ${spec.access.join(', ')}.`,
      tags: [spec.tag],
      security: spec.access === 'public' ? [] : spec.access.includes('channel') ? [{ channelSignature: [] }] : [{ partyKey: [] }],
      request: {
        ...(spec.params ? { params: spec.params as never } : {}),
        ...(spec.query ? { query: spec.query as never } : {}),
        ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } } } } : {}),
      },
      responses,
    });
    const expressPath = spec.path.replace(/\{(\w+)\}/g, ':$1');
    this.router[spec.method](expressPath, ...this.guard(spec.access), async (req: AuthedRequest, res) => {
      const input: EndpointInput<P, Q, B> = {
        params: spec.params ? parseOr400(spec.params, req.params, 'path') : (req.params as P),
        query: spec.query ? parseOr400(spec.query, req.query, 'query') : (req.query as Q),
        body: spec.body ? parseOr400(spec.body, req.body ?? {}, 'body') : (undefined as B),
        caller: req.caller,
        idempotencyKey: parseOr400(idempotencyKeySchema, req.get('idempotency-key'), 'Idempotency-Key header'),
      };
      const { status, body } = await handler(input);
      res.status(status).json(body);
    });
  }
}
