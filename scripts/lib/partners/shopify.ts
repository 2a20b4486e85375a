/**
 * A Shopify shop on loopback, speaking just enough of the GraphQL Admin API for tracking write-backs. It is not a
 * GraphQL engine: it recognises the order look-up and `fulfillmentCreate` the adapter sends and reads their variables.
 * Like the real shop, `fulfillmentCreate` is not idempotent: the same call twice makes two fulfilments.
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
  /** Seeds an order with one open fulfilment order holding all its line items. */
  addOrder(order: { id: string; lineItems: SeedLineItem[] }): void;
  /** Cancels an order: from now on `fulfillmentCreate` answers a userError for it. */
  cancelOrder(id: string): void;
  /** The fulfilments an order holds, oldest first. */
  fulfillments(orderId: string): ShopifyFulfillment[];
  /** The next `n` requests answer HTTP 200 with Shopify's THROTTLED error and these cost figures. */
  throttleNext(n: number, cost?: Partial<ThrottleCost>): void;
  /** Scripts the answer to the next `fulfillmentCreate`; armed when the look-up before it arrives. */
  scriptNextCreate(answer: ScriptedAnswer): void;
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
  fulfillmentOrder: { id: string; lines: FoLine[] };
  fulfillments: ShopifyFulfillment[];
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

const DEFAULT_COST: ThrottleCost = { requestedQueryCost: 252, currentlyAvailable: 2, restoreRate: 50, maximumAvailable: 1000 };

const tailOf = (id: string) => id.slice(id.lastIndexOf('/') + 1);
const userError = (message: string, field: string[] | null = null) => ({ field, message });

/** Starts a simulated shop answering only requests carrying `accessToken`. */
export async function startShopify(options: { accessToken: string; apiVersion?: string }): Promise<ShopifySimulator> {
  const path = `/admin/api/${options.apiVersion ?? '2025-01'}/graphql.json`;
  const orders = new Map<string, ShopOrder>();
  const pendingCreateScripts: ScriptedAnswer[] = [];
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

  function lookup(variables: Record<string, unknown>): Reply {
    const pending = pendingCreateScripts.shift();
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
    if (body.data.query.includes('order(')) return lookup(body.data.variables);
    return { status: 200, body: { errors: [{ message: 'the simulated shop only knows the order look-up and fulfillmentCreate' }] } };
  }

  const server = await PartnerServer.start(handle);
  return {
    server,
    addOrder(order) {
      orders.set(order.id, {
        id: order.id,
        cancelled: false,
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
  };
}
