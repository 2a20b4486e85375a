/**
 * Shopify refunds: `refundCreate` against the order's captured payment, with our key written into the refund's note.
 * Every attempt first looks for a refund whose note carries our key, so a refund whose answer was lost is found and
 * not made again. From Admin API 2026-01 the mutation also carries Shopify's `@idempotent` directive (mandatory from
 * 2026-04), which Shopify dedupes itself; on older versions the look-up is the only guard, enough because Temporal
 * runs one attempt of an activity at a time.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { formatMinorUnits } from '../../../domain/money';
import { excerptOf } from '../http';
import type { ChannelAdapter, PartnerAnswer, PartnerLine, RefundRequest, RefundStatusAnswer } from '../types';
import { orderGid, type ShopifyEndpoint, type ShopifyGraphql, tailOf } from './shopifyGraphql';

/** The first Admin API version whose refundCreate takes `@idempotent(key:)`. */
const IDEMPOTENT_FROM = '2026-01';
/** Transaction kinds that captured the buyer's money, i.e. what a refund pays back from. */
const CAPTURED = new Set(['SALE', 'CAPTURE']);
/** Refund transaction statuses still on their way (Shopify's OrderTransactionStatus). */
const IN_FLIGHT = new Set(['PENDING', 'AWAITING_RESPONSE', 'UNKNOWN']);

const LOOKUP = `query OrderForRefund($id: ID!) {
  order(id: $id) {
    id
    lineItems(first: 250) { nodes { id sku } }
    transactions(first: 100) { id kind status gateway }
    refunds(first: 250) { id note transactions(first: 20) { nodes { id kind status } } }
  }
}`;

const transactionSchema = z.object({ id: z.string(), kind: z.string(), status: z.string() });

const lookupSchema = z.object({
  data: z.object({
    order: z
      .object({
        id: z.string(),
        lineItems: z.object({ nodes: z.array(z.object({ id: z.string(), sku: z.string().nullable() })) }),
        transactions: z.array(transactionSchema.extend({ gateway: z.string() })),
        refunds: z.array(
          z.object({ id: z.string(), note: z.string().nullable(), transactions: z.object({ nodes: z.array(transactionSchema) }) }),
        ),
      })
      .nullable(),
  }),
});

const createSchema = z.object({
  data: z.object({
    refundCreate: z.object({
      refund: z.object({ id: z.string() }).nullable(),
      userErrors: z.array(z.object({ message: z.string() })),
    }),
  }),
});

type ShopOrder = NonNullable<z.infer<typeof lookupSchema>['data']['order']>;

/** What our refunds' notes end with: finds our refund again on a retry. */
function markerOf(key: string): string {
  return `[order hub ${key}]`;
}

/** Our key in the UUID form Shopify recommends for `@idempotent`: the same key always gives the same id. */
function idempotencyKeyOf(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The mutation, with the idempotency directive on API versions that know it. */
function createMutation(apiVersion: string, key: string): string {
  // A literal, as in Shopify's own example; the UUID form needs no escaping.
  const directive = apiVersion >= IDEMPOTENT_FROM ? ` @idempotent(key: "${idempotencyKeyOf(key)}")` : '';
  return `mutation CreateRefund($input: RefundInput!) {
  refundCreate(input: $input)${directive} {
    refund { id }
    userErrors { field message }
  }
}`;
}

/** Our lines as Shopify refund line items, matched by LineItem id and else by SKU; the hub restocks in its own ledger. */
function refundLinesOf(
  lines: PartnerLine[],
  order: ShopOrder,
): { lineItemId: string; quantity: number; restockType: 'NO_RESTOCK' }[] | string {
  const items = [];
  for (const line of lines) {
    const match =
      order.lineItems.nodes.find((item) => tailOf(item.id) === tailOf(line.lineId)) ??
      order.lineItems.nodes.find((item) => item.sku === line.sku);
    if (!match) return `Shopify's order has no line item ${line.lineId} (SKU ${line.sku})`;
    items.push({ lineItemId: match.id, quantity: line.quantity, restockType: 'NO_RESTOCK' as const });
  }
  return items;
}

/** Where a refund stands, from its transactions' statuses: any failure fails it, any in flight keeps it pending. */
function stateOf(transactions: z.infer<typeof transactionSchema>[]): 'settled' | 'pending' | 'failed' {
  const statuses = transactions.filter((t) => t.kind === 'REFUND').map((t) => t.status);
  if (statuses.some((s) => s === 'FAILURE' || s === 'ERROR')) return 'failed';
  if (statuses.some((s) => IN_FLIGHT.has(s))) return 'pending';
  return 'settled';
}

/** Builds the refund side of the Shopify adapter. */
export function createShopifyRefunds(
  graphql: ShopifyGraphql,
  endpoint: ShopifyEndpoint,
): Pick<ChannelAdapter, 'requestRefund' | 'refundStatus' | 'writeBackRefund'> {
  /** The order with its payments and refunds, or what to answer instead. */
  async function lookUp(refund: RefundRequest) {
    const lookup = await graphql('OrderForRefund', LOOKUP, { id: orderGid(refund.channelOrderId) }, lookupSchema);
    if ('answer' in lookup) return lookup;
    const { order } = lookup.data.data;
    const { status, text } = lookup.response;
    if (!order)
      return {
        answer: { outcome: 'refused' as const, status, excerpt: excerptOf(text), reason: `Shopify has no order ${refund.channelOrderId}` },
      };
    return { order, status, excerpt: excerptOf(text) };
  }

  return {
    async requestRefund(refund, key): Promise<PartnerAnswer> {
      const found = await lookUp(refund);
      if ('answer' in found) return found.answer;
      const { order, status, excerpt } = found;
      const ours = order.refunds.find((r) => r.note?.includes(markerOf(key)));
      if (ours) return { outcome: 'delivered', status, excerpt, reference: ours.id };

      const payment = order.transactions.find((t) => CAPTURED.has(t.kind) && t.status === 'SUCCESS');
      if (!payment)
        return {
          outcome: 'refused',
          status,
          excerpt,
          reason: `Shopify's order ${refund.channelOrderId} has no captured payment to refund`,
        };
      const refundLineItems = refundLinesOf(refund.lines, order);
      if (typeof refundLineItems === 'string') return { outcome: 'refused', status, excerpt, reason: refundLineItems };
      const input = {
        orderId: order.id,
        note: `${refund.reason} ${markerOf(key)}`,
        // The channel owns the buyer relationship: Shopify sends the refund notice, the hub does not.
        notify: true,
        refundLineItems,
        transactions: [
          {
            orderId: order.id,
            parentId: payment.id,
            gateway: payment.gateway,
            kind: 'REFUND',
            amount: formatMinorUnits(refund.amountMinor),
          },
        ],
      };
      const created = await graphql('CreateRefund', createMutation(endpoint.apiVersion, key), { input }, createSchema);
      if ('answer' in created) return created.answer;
      const { refund: made, userErrors } = created.data.data.refundCreate;
      const answered = { status: created.response.status, excerpt: excerptOf(created.response.text) };
      if (userErrors.length > 0)
        return { outcome: 'refused', ...answered, reason: `Shopify: ${userErrors.map((e) => e.message).join('; ')}` };
      if (!made) return { outcome: 'refused', ...answered, reason: 'unexpected answer from Shopify (no refund, no userErrors)' };
      return { outcome: 'delivered', ...answered, reference: made.id };
    },

    async refundStatus(refund, key): Promise<RefundStatusAnswer> {
      const found = await lookUp(refund);
      if ('answer' in found) return found.answer;
      const { order, status, excerpt } = found;
      const ours = order.refunds.find((r) => r.note?.includes(markerOf(key)));
      if (!ours)
        return { outcome: 'refused', status, excerpt, reason: `Shopify's order ${refund.channelOrderId} holds no refund for ${key}` };
      return { outcome: 'answered', state: stateOf(ours.transactions.nodes), reference: ours.id, status, excerpt };
    },

    // The refund Shopify made is already on its order; a refund paid elsewhere is not mirrored, since refundCreate
    // would try to move money through the order's gateway.
    writeBackRefund: async () => ({
      outcome: 'delivered',
      status: 0,
      excerpt: 'nothing sent: Shopify records the refunds it makes on the order itself',
    }),
  };
}
