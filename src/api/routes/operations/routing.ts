/** Operations: routing what-if, to see where an order would ship from and why before anything is reserved (RT-6). */
import { z } from 'zod';
import type { Stores } from '../../../db/stores';
import { canonicalOrderSchema, type CanonicalOrder } from '../../../domain/order';
import { routingDecisionSchema } from '../../../domain/routing/decision';
import { routeOrder } from '../../../domain/routing/route';
import { HttpError } from '../../errors';
import type { Api } from '../../route';

const whatIfBody = z
  .object({
    order: canonicalOrderSchema.optional().describe('an order to route, e.g. one not received yet'),
    orderId: z.string().trim().min(1).max(200).optional().describe('a received order, read from the read model'),
  })
  .refine((body) => (body.order === undefined) !== (body.orderId === undefined), 'give either order or orderId');

/** Declares the routing endpoints. */
export function routingRoutes(api: Api, stores: Pick<Stores, 'orders' | 'routingContext'>): void {
  const receivedOrder = async (orderId: string): Promise<CanonicalOrder> => {
    const view = await stores.orders.find(orderId);
    if (!view) throw new HttpError(404, 'NOT_FOUND', 'no such order');
    // The mirror is stored as written by an older or newer build: validate it before routing on it.
    return canonicalOrderSchema.parse(view.order);
  };

  api.endpoint(
    {
      method: 'post',
      path: '/v1/routing/what-if',
      tag: 'routing',
      access: ['operations'],
      summary:
        'Route an order with the current rules, network and stock and explain the decision, reserving nothing. For a received order, stock it already holds counts as reserved.',
      body: whatIfBody,
      responses: { 200: { description: 'the decision routing would take now', schema: routingDecisionSchema } },
    },
    async ({ body }) => {
      const order = body.order ?? (await receivedOrder(body.orderId!));
      return { status: 200, body: routeOrder(order, await stores.routingContext.load(order)) };
    },
  );
}
