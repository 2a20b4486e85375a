/**
 * A Shopify shop on loopback, speaking just enough of the GraphQL Admin API for tracking write-backs and refunds. It
 * is not a GraphQL engine: it recognises the order look-up, `fulfillmentCreate` and `refundCreate` the adapter sends
 * and reads their variables. Like the real shop, neither mutation dedupes by itself: the same call twice makes two
 * fulfilments or two refunds, except that from API version 2026-01 a refundCreate carrying `@idempotent(key:)` is
 * made once per key (and from 2026-04 the directive is required).
 */
import { z } from 'zod';
import { PartnerServer, type Received, type Reply, type ScriptedAnswer } from './server';

/** A line item as a test seeds it; `id` is the numeric tail of its LineItem gid. */
export interface SeedLineItem {
  id: string;
  sku: string;
  quantity: number;
}

/** A fulfilment the shop holds. */
export interface ShopifyFulfillment {
  id: string;
  trackingInfo: { number: string; company: string | null };
  lineItems: { lineItemId: string; sku: string; quantity: number }[];
}

/** A refund the shop holds; its REFUND transaction has `status`. */
export interface ShopifyRefund {
  id: string;
  note: string | null;
  amountMinor: number;
  idempotencyKey?: string;
  lineItems: { lineItemId: string; quantity: number; restockType: string | null }[];
  status: RefundTransactionStatus;
}

/** Shopify's OrderTransactionStatus values a simulated refund takes. */
export type RefundTransactionStatus = 'SUCCESS' | 'PENDING' | 'FAILURE';

/** What a throttled answer reports, as Shopify's `extensions.cost`. */
export interface ThrottleCost {
  requestedQueryCost: number;
  currentlyAvailable: number;
  restoreRate: number;
  maximumAvailable: number;
}

/** A running simulated shop. */
export interface ShopifySimulator {
  server: PartnerServer;
  /**
   * Seeds an order with one open fulfilment order holding all its line items, paid by one SALE transaction of
   * `paidMinor` (default 10000) through `gateway` (default shopify_payments).
   */
  addOrder(order: { id: string; lineItems: SeedLineItem[]; paidMinor?: number; gateway?: string }): void;
  /** Cancels an order: from now on `fulfillmentCreate` answers a userError for it. */
  cancelOrder(id: string): void;
  /** The fulfilments an order holds, oldest first. */
  fulfillments(orderId: string): ShopifyFulfillment[];
  /** The next `n` requests answer HTTP 200 with Shopify's THROTTLED error and these cost figures. */
  throttleNext(n: number, cost?: Partial<ThrottleCost>): void;
  /** Scripts the answer to the next `fulfillmentCreate`; armed when the look-up before it arrives. */
  scriptNextCreate(answer: ScriptedAnswer): void;
  /** The refunds an order holds, oldest first: each one is money paid back (the effect). */
  refunds(orderId: string): ShopifyRefund[];
  /** Moves a refund's transaction to a new status (a pending refund settles or fails). */
  settleRefund(refundId: string, status?: RefundTransactionStatus): void;
  /** Scripts the answer to the next `refundCreate`; armed when the refund look-up before it arrives. */
  scriptNextRefundCreate(answer: ScriptedAnswer): void;
}

interface FoLine {
  id: string;
  lineItemId: string;
  sku: string;
  remaining: number;
}

interface ShopOrder {
  id: string;
  cancelled: boolean;
  lineItems: SeedLineItem[];
  payment: { id: string; amountMinor: number; gateway: string };
  fulfillmentOrder: { id: string; lines: FoLine[] };
  fulfillments: ShopifyFulfillment[];
  refunds: ShopifyRefund[];
}

const requestSchema = z.object({ query: z.string(), variables: z.record(z.string(), z.unknown()).default({}) });

const fulfillmentInputSchema = z.object({
  lineItemsByFulfillmentOrder: z
    .array(
      z.object({
        fulfillmentOrderId: z.string(),
        fulfillmentOrderLineItems: z.array(z.object({ id: z.string(), quantity: z.number().int() })).optional(),
      }),
    )
    .min(1),
  trackingInfo: z.object({ number: z.string().optional(), company: z.string().optional() }).optional(),
  notifyCustomer: z.boolean().optional(),
});

const refundInputSchema = z.object({
  orderId: z.string(),
  note: z.string().nullable().optional(),
  notify: z.boolean().optional(),
  refundLineItems: z
    .array(z.object({ lineItemId: z.string(), quantity: z.number().int().positive(), restockType: z.string().optional() }))
    .optional(),
  transactions: z
    .array(
      z.object({
        orderId: z.string(),
        parentId: z.string().optional(),
        gateway: z.string(),
        kind: z.string(),
        amount: z.string().regex(/^\d+(\.\d{1,2})?$/),
      }),
    )
    .optional(),
});

/** "12.30" → 1230, in integers. */
const minorOf = (amount: string) => {
  const [whole = '0', fraction = ''] = amount.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
};

const IDEMPOTENT_FROM = '2026-01';
const IDEMPOTENT_REQUIRED_FROM = '2026-04';

const DEFAULT_COST: ThrottleCost = { requestedQueryCost: 252, currentlyAvailable: 2, restoreRate: 50, maximumAvailable: 1000 };

const tailOf = (id: string) => id.slice(id.lastIndexOf('/') + 1);
const userError = (message: string, field: string[] | null = null) => ({ field, message });

/** Starts a simulated shop answering only requests carrying `accessToken`. */
export async function startShopify(options: {
  accessToken: string;
  apiVersion?: string;
  /** The status a new refund's transaction starts in; default SUCCESS (card refunds may stay PENDING for days). */
  refundStatus?: RefundTransactionStatus;
}): Promise<ShopifySimulator> {
  const apiVersion = options.apiVersion ?? '2025-01';
  const path = `/admin/api/${apiVersion}/graphql.json`;
  const orders = new Map<string, ShopOrder>();
  const pendingCreateScripts: ScriptedAnswer[] = [];
  const pendingRefundScripts: ScriptedAnswer[] = [];
  const refundsByIdempotencyKey = new Map<string, ShopifyRefund>();
  let throttle = { left: 0, cost: DEFAULT_COST };
  let nextId = 1;

  const costExtension = (cost: ThrottleCost, actual: number | null) => ({
    cost: {
      requestedQueryCost: cost.requestedQueryCost,
      actualQueryCost: actual,
      throttleStatus: {
        maximumAvailable: cost.maximumAvailable,
        currentlyAvailable: cost.currentlyAvailable,
        restoreRate: cost.restoreRate,
      },
    },
  });
  const ok = (data: unknown): Reply => ({
    status: 200,
    body: { data, extensions: costExtension({ ...DEFAULT_COST, currentlyAvailable: 990 }, 10) },
  });

  function orderView(order: ShopOrder) {
    const fo = order.fulfillmentOrder;
    const left = fo.lines.reduce((sum, l) => sum + l.remaining, 0);
    const touched = order.fulfillments.length > 0;
    return {
      id: `gid://shopify/Order/${order.id}`,
      lineItems: { nodes: order.lineItems.map((li) => ({ id: `gid://shopify/LineItem/${li.id}`, sku: li.sku })) },
      transactions: [{ id: order.payment.id, kind: 'SALE', status: 'SUCCESS', gateway: order.payment.gateway }],
      refunds: order.refunds.map((r) => ({
        id: r.id,
        note: r.note,
        transactions: { nodes: [{ id: `${r.id}/transaction`, kind: 'REFUND', status: r.status }] },
      })),
      fulfillments: order.fulfillments.map((f) => ({ id: f.id, status: 'SUCCESS', trackingInfo: [{ number: f.trackingInfo.number }] })),
      fulfillmentOrders: {
        nodes: [
          {
            id: fo.id,
            status: left === 0 ? 'CLOSED' : touched ? 'IN_PROGRESS' : 'OPEN',
            lineItems: {
              nodes: fo.lines.map((l) => ({
                id: l.id,
                remainingQuantity: l.remaining,
                lineItem: { id: `gid://shopify/LineItem/${l.lineItemId}`, sku: l.sku },
              })),
            },
          },
        ],
      },
    };
  }

  function lookup(query: string, variables: Record<string, unknown>): Reply {
    const pending = (query.includes('refunds') ? pendingRefundScripts : pendingCreateScripts).shift();
    if (pending) server.script(path, pending);
    const order = orders.get(tailOf(String(variables.id ?? '')));
    return ok({ order: order ? orderView(order) : null });
  }

  function create(variables: Record<string, unknown>): Reply {
    const parsed = fulfillmentInputSchema.safeParse(variables.fulfillment);
    if (!parsed.success)
      return { status: 200, body: { errors: [{ message: `Variable $fulfillment is invalid: ${parsed.error.issues[0]?.message}` }] } };
    const input = parsed.data;
    const answer = (fulfillment: { id: string } | null, userErrors: ReturnType<typeof userError>[]) =>
      ok({ fulfillmentCreate: { fulfillment, userErrors } });
    const owners = input.lineItemsByFulfillmentOrder.map((group) =>
      [...orders.values()].find((o) => o.fulfillmentOrder.id === group.fulfillmentOrderId),
    );
    const order = owners[0];
    if (!order || owners.some((o) => o !== order))
      return answer(null, [userError('Fulfillment order does not exist.', ['fulfillment', 'lineItemsByFulfillmentOrder'])]);
    if (order.cancelled) return answer(null, [userError('Fulfillment order cannot be fulfilled: the order has been cancelled.')]);

    const draws: { line: FoLine; quantity: number }[] = [];
    for (const group of input.lineItemsByFulfillmentOrder) {
      const wanted = group.fulfillmentOrderLineItems ?? order.fulfillmentOrder.lines.map((l) => ({ id: l.id, quantity: l.remaining }));
      for (const item of wanted) {
        const line = order.fulfillmentOrder.lines.find((l) => l.id === item.id);
        if (!line || item.quantity <= 0 || item.quantity > line.remaining)
          return answer(null, [userError('Invalid fulfillment order line item quantity requested.')]);
        draws.push({ line, quantity: item.quantity });
      }
    }
    for (const draw of draws) draw.line.remaining -= draw.quantity;
    const fulfillment: ShopifyFulfillment = {
      id: `gid://shopify/Fulfillment/${nextId++}`,
      trackingInfo: { number: input.trackingInfo?.number ?? '', company: input.trackingInfo?.company ?? null },
      lineItems: draws.map((d) => ({ lineItemId: d.line.lineItemId, sku: d.line.sku, quantity: d.quantity })),
    };
    order.fulfillments.push(fulfillment);
    return answer({ id: fulfillment.id }, []);
  }

  /** The key of an `@idempotent(key: "…")` directive, or a reply refusing the directive on this API version. */
  function idempotencyOf(query: string): { key?: string } | Reply {
    const key = /@idempotent\(\s*key:\s*"([^"]+)"\s*\)/.exec(query)?.[1];
    if (key && apiVersion < IDEMPOTENT_FROM)
      return {
        status: 200,
        body: { errors: [{ message: "Directive 'idempotent' is not defined", extensions: { code: 'undefinedDirective' } }] },
      };
    if (!key && apiVersion >= IDEMPOTENT_REQUIRED_FROM)
      return { status: 200, body: { errors: [{ message: 'The @idempotent directive is required for this mutation.' }] } };
    return { key };
  }

  function refundCreate(query: string, variables: Record<string, unknown>): Reply {
    const idempotency = idempotencyOf(query);
    if ('status' in idempotency) return idempotency;
    const parsed = refundInputSchema.safeParse(variables.input);
    if (!parsed.success)
      return { status: 200, body: { errors: [{ message: `Variable $input is invalid: ${parsed.error.issues[0]?.message}` }] } };
    const input = parsed.data;
    const answer = (refund: { id: string } | null, userErrors: ReturnType<typeof userError>[]) =>
      ok({ refundCreate: { refund, userErrors } });
    const repeat = idempotency.key && refundsByIdempotencyKey.get(idempotency.key);
    if (repeat) return answer({ id: repeat.id }, []);
    const order = orders.get(tailOf(input.orderId));
    if (!order) return answer(null, [userError('Order does not exist', ['orderId'])]);
    const transactions = input.transactions ?? [];
    for (const t of transactions) {
      if (t.kind !== 'REFUND') return answer(null, [userError(`Transaction kind ${t.kind} is not a refund`, ['transactions'])]);
      if (t.parentId && t.parentId !== order.payment.id)
        return answer(null, [userError('Parent transaction does not exist', ['transactions'])]);
      if (t.gateway !== order.payment.gateway)
        return answer(null, [userError(`Gateway ${t.gateway} did not process this order`, ['transactions'])]);
    }
    const amountMinor = transactions.reduce((sum, t) => sum + minorOf(t.amount), 0);
    const refunded = order.refunds.reduce((sum, r) => sum + r.amountMinor, 0);
    if (refunded + amountMinor > order.payment.amountMinor)
      return answer(null, [userError('Refund amount exceeds the refundable amount', ['transactions'])]);
    const lines = input.refundLineItems ?? [];
    for (const line of lines) {
      const item = order.lineItems.find((li) => li.id === tailOf(line.lineItemId));
      const already = order.refunds
        .flatMap((r) => r.lineItems)
        .filter((l) => l.lineItemId === item?.id)
        .reduce((sum, l) => sum + l.quantity, 0);
      if (!item || already + line.quantity > item.quantity)
        return answer(null, [userError('Quantity cannot refund more items than were purchased', ['refundLineItems'])]);
    }
    const refund: ShopifyRefund = {
      id: `gid://shopify/Refund/${nextId++}`,
      note: input.note ?? null,
      amountMinor,
      ...(idempotency.key ? { idempotencyKey: idempotency.key } : {}),
      lineItems: lines.map((l) => ({ lineItemId: tailOf(l.lineItemId), quantity: l.quantity, restockType: l.restockType ?? null })),
      status: options.refundStatus ?? 'SUCCESS',
    };
    order.refunds.push(refund);
    if (idempotency.key) refundsByIdempotencyKey.set(idempotency.key, refund);
    return answer({ id: refund.id }, []);
  }

  function handle(request: Received): Reply {
    if (request.method !== 'POST' || request.path !== path) return { status: 404, body: { errors: 'Not Found' } };
    if (request.headers['x-shopify-access-token'] !== options.accessToken) {
      return { status: 401, body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' } };
    }
    if (throttle.left > 0) {
      throttle.left -= 1;
      return {
        status: 200,
        body: {
          errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
          extensions: costExtension(throttle.cost, null),
        },
      };
    }
    const body = requestSchema.safeParse(request.body);
    if (!body.success) return { status: 400, body: { errors: 'Bad Request' } };
    if (body.data.query.includes('fulfillmentCreate')) return create(body.data.variables);
    if (body.data.query.includes('refundCreate')) return refundCreate(body.data.query, body.data.variables);
    if (body.data.query.includes('order(')) return lookup(body.data.query, body.data.variables);
    return {
      status: 200,
      body: { errors: [{ message: 'the simulated shop only knows the order look-up, fulfillmentCreate and refundCreate' }] },
    };
  }

  const server = await PartnerServer.start(handle);
  return {
    server,
    addOrder(order) {
      orders.set(order.id, {
        id: order.id,
        cancelled: false,
        lineItems: structuredClone(order.lineItems),
        payment: {
          id: `gid://shopify/OrderTransaction/${nextId++}`,
          amountMinor: order.paidMinor ?? 10000,
          gateway: order.gateway ?? 'shopify_payments',
        },
        refunds: [],
        fulfillmentOrder: {
          id: `gid://shopify/FulfillmentOrder/${nextId++}`,
          lines: order.lineItems.map((li) => ({
            id: `gid://shopify/FulfillmentOrderLineItem/${nextId++}`,
            lineItemId: li.id,
            sku: li.sku,
            remaining: li.quantity,
          })),
        },
        fulfillments: [],
      });
    },
    cancelOrder(id) {
      const order = orders.get(id);
      if (!order) throw new Error(`no order ${id} in the simulated shop`);
      order.cancelled = true;
    },
    fulfillments: (orderId) => structuredClone(orders.get(orderId)?.fulfillments ?? []),
    throttleNext(n, cost) {
      throttle = { left: n, cost: { ...DEFAULT_COST, ...cost } };
    },
    scriptNextCreate(answer) {
      pendingCreateScripts.push(answer);
    },
    refunds: (orderId) => structuredClone(orders.get(orderId)?.refunds ?? []),
    settleRefund(refundId, status = 'SUCCESS') {
      const refund = [...orders.values()].flatMap((o) => o.refunds).find((r) => r.id === refundId);
      if (!refund) throw new Error(`no refund ${refundId} in the simulated shop`);
      refund.status = status;
    },
    scriptNextRefundCreate(answer) {
      pendingRefundScripts.push(answer);
    },
  };
}
