/**
 * Shopify over the GraphQL Admin API. Write-back: read the order's fulfilment orders and fulfilments, then create one
 * fulfilment per parcel carrying its tracking number and only its lines. `fulfillmentCreate` takes no idempotency
 * key, so every attempt first looks for a fulfilment that already carries our tracking number. Refunds: see
 * shopifyRefunds.ts.
 */
import { z } from 'zod';
import { excerptOf } from '../http';
import type { ChannelAdapter, PartnerLine } from '../types';
import { createShopifyGraphql, orderGid, type ShopifyEndpoint, tailOf } from './shopifyGraphql';
import { createShopifyRefunds } from './shopifyRefunds';

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
  const graphql = createShopifyGraphql(endpoint, options);

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
    ...createShopifyRefunds(graphql, endpoint),
  };
}
