/**
 * One call to Shopify's GraphQL Admin API and the reading of its answer, shared by the write-back and the refunds:
 * THROTTLED waits for the leaky bucket to refill, server errors are retried, anything unexpected is refused.
 */
import { z } from 'zod';
import type { ChannelEndpoint } from '../../../config/partners';
import { callPartner, classify, excerptOf, type HttpResponse, jsonOf } from '../http';
import type { PartnerAnswer } from '../types';

/** The 'shopify' variant of a channel endpoint. */
export type ShopifyEndpoint = Extract<ChannelEndpoint, { adapter: 'shopify' }>;

/** A parsed GraphQL answer, or what to tell the delivery activity instead. */
export type Outcome<T> = { data: T; response: HttpResponse } | { answer: Extract<PartnerAnswer, { outcome: 'retry' | 'refused' }> };

/** Sends one operation and reads its answer against `schema`. */
export type ShopifyGraphql = <S extends z.ZodType>(
  operationName: string,
  query: string,
  variables: object,
  schema: S,
) => Promise<Outcome<z.infer<S>>>;

const costSchema = z.object({
  requestedQueryCost: z.number(),
  throttleStatus: z.object({ currentlyAvailable: z.number(), restoreRate: z.number().positive() }),
});

const errorsSchema = z.object({
  errors: z.array(z.object({ message: z.string(), extensions: z.object({ code: z.string().optional() }).optional() })).min(1),
  extensions: z.object({ cost: costSchema.optional() }).optional(),
});

/** The numeric tail of a Shopify gid (`gid://shopify/LineItem/123` → `123`); a plain id is its own tail. */
export function tailOf(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1);
}

/** Our channel order id as Shopify's Order gid: the channel may hand us either form. */
export function orderGid(channelOrderId: string): string {
  return channelOrderId.startsWith('gid://') ? channelOrderId : `gid://shopify/Order/${channelOrderId}`;
}

/** How long Shopify's leaky bucket needs to refill the query's cost, in whole seconds and at least one. */
function throttleWaitMs(cost: z.infer<typeof costSchema> | undefined): number {
  if (!cost) return 1000;
  const missing = cost.requestedQueryCost - cost.throttleStatus.currentlyAvailable;
  return Math.max(1, Math.ceil(missing / cost.throttleStatus.restoreRate)) * 1000;
}

/** Shopify's own words in an error body: `errors` is a string (401) or a list of GraphQL errors. */
function errorsText(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const errors = (body as { errors?: unknown }).errors;
  if (typeof errors === 'string') return errors;
  const parsed = errorsSchema.safeParse(body);
  return parsed.success ? parsed.data.errors.map((e) => e.message).join('; ') : undefined;
}

/** Reads one HTTP answer: throttling and server errors are retried, anything unexpected is refused for a person. */
function readAnswer<S extends z.ZodType>(response: HttpResponse, schema: S): Outcome<z.infer<S>> {
  const body = jsonOf(response.text);
  const excerpt = excerptOf(response.text);
  const errors = errorsSchema.safeParse(body);
  const codes = errors.success ? errors.data.errors.map((e) => e.extensions?.code) : [];
  if (codes.includes('THROTTLED')) {
    const retryAfterMs = throttleWaitMs(errors.success ? errors.data.extensions?.cost : undefined);
    return { answer: { outcome: 'retry', status: response.status, excerpt, reason: 'Shopify THROTTLED the query', retryAfterMs } };
  }
  if (response.status < 200 || response.status >= 300) {
    const answer = classify(response) as Extract<PartnerAnswer, { outcome: 'retry' | 'refused' }>;
    const said = errorsText(body);
    return { answer: answer.outcome === 'refused' && said ? { ...answer, reason: `HTTP ${response.status}: ${said}` } : answer };
  }
  if (codes.includes('INTERNAL_SERVER_ERROR')) {
    return { answer: { outcome: 'retry', status: response.status, excerpt, reason: `Shopify internal error: ${errorsText(body)}` } };
  }
  if (errors.success)
    return { answer: { outcome: 'refused', status: response.status, excerpt, reason: `Shopify refused: ${errorsText(body)}` } };
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = body === undefined ? 'not JSON' : `${issue?.path.join('.') || 'body'}: ${issue?.message}`;
    return { answer: { outcome: 'refused', status: response.status, excerpt, reason: `unexpected answer from Shopify (${where})` } };
  }
  return { data: parsed.data as z.infer<S>, response };
}

/** Builds the GraphQL caller for one shop. */
export function createShopifyGraphql(endpoint: ShopifyEndpoint, options: { timeoutMs: number }): ShopifyGraphql {
  const url = `${endpoint.shopUrl.replace(/\/+$/, '')}/admin/api/${endpoint.apiVersion}/graphql.json`;
  return async (operationName, query, variables, schema) => {
    const response = await callPartner({
      url,
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': endpoint.accessToken },
      body: JSON.stringify({ operationName, query, variables }),
      timeoutMs: options.timeoutMs,
    });
    return 'outcome' in response ? { answer: response } : readAnswer(response, schema);
  };
}
