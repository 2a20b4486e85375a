/**
 * Shopify write-back over the GraphQL Admin API: read the order's fulfilment orders and fulfilments, then create one
 * fulfilment per parcel carrying its tracking number and only its lines. `fulfillmentCreate` takes no idempotency key,
 * so every attempt first looks for a fulfilment that already carries our tracking number.
 */
import { z } from 'zod';
import type { ChannelEndpoint } from '../../../config/partners';
import { callPartner, classify, excerptOf, type HttpResponse, jsonOf } from '../http';
import type { ChannelAdapter, PartnerAnswer, PartnerLine } from '../types';

/** The 'shopify' variant of a channel endpoint. */
type ShopifyEndpoint = Extract<ChannelEndpoint, { adapter: 'shopify' }>;

const LOOKUP = `query OrderForWriteBack($id: ID!) {
  order(id: $id) {
    id
    fulfillments(first: 250) { id status trackingInfo { number } }
    fulfillmentOrders(first: 50) {
      nodes { id status lineItems(first: 250) { nodes { id remainingQuantity lineItem { id sku } } } }
    }
  }
}`;

const CREATE = `mutation CreateFulfillment($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id }
    userErrors { field message }
  }
}`;

/** Fulfilment-order statuses whose remaining lines can still be fulfilled. */
const FULFILLABLE = new Set(['OPEN', 'IN_PROGRESS']);

const costSchema = z.object({
  requestedQueryCost: z.number(),
  throttleStatus: z.object({ currentlyAvailable: z.number(), restoreRate: z.number().positive() }),
});

const errorsSchema = z.object({
  errors: z.array(z.object({ message: z.string(), extensions: z.object({ code: z.string().optional() }).optional() })).min(1),
  extensions: z.object({ cost: costSchema.optional() }).optional(),
});

const lookupSchema = z.object({
  data: z.object({
    order: z
      .object({
        fulfillments: z.array(
          z.object({ id: z.string(), status: z.string(), trackingInfo: z.array(z.object({ number: z.string().nullable() })) }),
        ),
        fulfillmentOrders: z.object({
          nodes: z.array(
            z.object({
              id: z.string(),
              status: z.string(),
              lineItems: z.object({
                nodes: z.array(
                  z.object({
                    id: z.string(),
                    remainingQuantity: z.number().int(),
                    lineItem: z.object({ id: z.string(), sku: z.string().nullable() }),
                  }),
                ),
              }),
            }),
          ),
        }),
      })
      .nullable(),
  }),
});

const createSchema = z.object({
  data: z.object({
    fulfillmentCreate: z.object({
      fulfillment: z.object({ id: z.string() }).nullable(),
      userErrors: z.array(z.object({ message: z.string() })),
    }),
  }),
});

/** A parsed GraphQL answer, or what to tell the delivery activity instead. */
type Outcome<T> = { data: T; response: HttpResponse } | { answer: PartnerAnswer };

/** Shopify's `lineItemsByFulfillmentOrder` for one parcel, or why it cannot be built. */
type Plan =
  | { lineItemsByFulfillmentOrder: { fulfillmentOrderId: string; fulfillmentOrderLineItems: { id: string; quantity: number }[] }[] }
  | { reason: string };

/** One fulfilment-order line our parcel may draw from. */
interface OpenLine {
  fulfillmentOrderId: string;
  id: string;
  lineItemTail: string;
  sku: string | null;
  remaining: number;
}

/** The numeric tail of a Shopify gid (`gid://shopify/LineItem/123` → `123`); a plain id is its own tail. */
function tailOf(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1);
}

/** Our channel order id as Shopify's Order gid: the channel may hand us either form. */
function orderGid(channelOrderId: string): string {
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
    const answer = classify(response);
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

/** The open fulfilment-order lines of an order, each with what is left to fulfil. */
function openLinesOf(order: NonNullable<z.infer<typeof lookupSchema>['data']['order']>): OpenLine[] {
  return order.fulfillmentOrders.nodes
    .filter((fo) => FULFILLABLE.has(fo.status))
    .flatMap((fo) =>
      fo.lineItems.nodes
        .filter((line) => line.remainingQuantity > 0)
        .map((line) => ({
          fulfillmentOrderId: fo.id,
          id: line.id,
          lineItemTail: tailOf(line.lineItem.id),
          sku: line.lineItem.sku,
          remaining: line.remainingQuantity,
        })),
    );
}

/**
 * Draws each of our lines from the open fulfilment-order lines: by the LineItem id our lineId names, else by SKU.
 * Answers Shopify's `lineItemsByFulfillmentOrder`, or why a line cannot be fulfilled.
 */
function allocate(lines: PartnerLine[], open: OpenLine[]): Plan {
  const taken = new Map<string, Map<string, number>>();
  for (const line of lines) {
    const byId = open.filter((o) => o.lineItemTail === tailOf(line.lineId));
    const candidates = byId.length > 0 ? byId : open.filter((o) => o.sku === line.sku);
    let needed = line.quantity;
    for (const candidate of candidates) {
      const quantity = Math.min(needed, candidate.remaining);
      if (quantity <= 0) continue;
      candidate.remaining -= quantity;
      needed -= quantity;
      const items = taken.get(candidate.fulfillmentOrderId) ?? new Map<string, number>();
      items.set(candidate.id, (items.get(candidate.id) ?? 0) + quantity);
      taken.set(candidate.fulfillmentOrderId, items);
    }
    if (needed > 0) {
      return {
        reason: `no open fulfillment order line for line ${line.lineId} (SKU ${line.sku}): ${needed} of ${line.quantity} left unmatched`,
      };
    }
  }
  const lineItemsByFulfillmentOrder = [...taken].map(([fulfillmentOrderId, items]) => ({
    fulfillmentOrderId,
    fulfillmentOrderLineItems: [...items].map(([id, quantity]) => ({ id, quantity })),
  }));
  return { lineItemsByFulfillmentOrder };
}

/** Builds the Shopify adapter for one shop. */
export function createShopifyAdapter(endpoint: ShopifyEndpoint, options: { timeoutMs: number }): ChannelAdapter {
  const url = `${endpoint.shopUrl.replace(/\/+$/, '')}/admin/api/${endpoint.apiVersion}/graphql.json`;

  async function graphql<S extends z.ZodType>(
    operationName: string,
    query: string,
    variables: object,
    schema: S,
  ): Promise<Outcome<z.infer<S>>> {
    const response = await callPartner({
      url,
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': endpoint.accessToken },
      body: JSON.stringify({ operationName, query, variables }),
      timeoutMs: options.timeoutMs,
    });
    return 'outcome' in response ? { answer: response } : readAnswer(response, schema);
  }

  return {
    dedupe: 'look-up-before-create',
    async writeBackShipment(writeBack) {
      const lookup = await graphql('OrderForWriteBack', LOOKUP, { id: orderGid(writeBack.channelOrderId) }, lookupSchema);
      if ('answer' in lookup) return lookup.answer;
      const { order } = lookup.data.data;
      const excerpt = excerptOf(lookup.response.text);
      if (!order)
        return { outcome: 'refused', status: lookup.response.status, excerpt, reason: `Shopify has no order ${writeBack.channelOrderId}` };

      const ours = order.fulfillments.find(
        (f) => f.status !== 'CANCELLED' && f.trackingInfo.some((t) => t.number === writeBack.trackingNumber),
      );
      if (ours) return { outcome: 'delivered', status: lookup.response.status, excerpt, reference: ours.id };

      const plan = allocate(writeBack.lines, openLinesOf(order));
      if ('reason' in plan) return { outcome: 'refused', status: lookup.response.status, excerpt, reason: plan.reason };

      const fulfillment = {
        lineItemsByFulfillmentOrder: plan.lineItemsByFulfillmentOrder,
        trackingInfo: { number: writeBack.trackingNumber, company: writeBack.carrier },
        // The channel owns the buyer relationship: Shopify sends its shipping confirmation, the hub does not.
        notifyCustomer: true,
      };
      const created = await graphql('CreateFulfillment', CREATE, { fulfillment }, createSchema);
      if ('answer' in created) return created.answer;
      const { status, text } = created.response;
      const result = created.data.data.fulfillmentCreate;
      if (result.userErrors.length > 0) {
        return {
          outcome: 'refused',
          status,
          excerpt: excerptOf(text),
          reason: `Shopify: ${result.userErrors.map((e) => e.message).join('; ')}`,
        };
      }
      if (!result.fulfillment)
        return {
          outcome: 'refused',
          status,
          excerpt: excerptOf(text),
          reason: 'unexpected answer from Shopify (no fulfillment, no userErrors)',
        };
      return { outcome: 'delivered', status, excerpt: excerptOf(text), reference: result.fulfillment.id };
    },
  };
}
