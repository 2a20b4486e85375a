/** Operations: the deliveries log (every message to a partner, its attempts and last answer) and decisions on refusals. */
import { z } from 'zod';
import type { Deliveries } from '../../../db/deliveries';
import { deliveryRecordSchema, deliveryStateSchema, partnerKindSchema } from '../../../domain/delivery';
import { orderIdSchema } from '../../../domain/order';
import { orderViewSchema } from '../../../domain/orderView';
import { resolveDelivery } from '../../../workflows/order/messages';
import type { OrderAccess } from '../../orderAccess';
import type { Api } from '../../route';

const deliveryList = z.object({ deliveries: z.array(deliveryRecordSchema) });
// Strict: an unknown or operator-shaped parameter answers 400 instead of being silently dropped.
const partnerQuery = z.strictObject({
  partnerKind: partnerKindSchema,
  partnerId: z.string().trim().min(1).max(64),
  state: deliveryStateSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Declares the deliveries endpoints. */
export function deliveryRoutes(api: Api, orders: OrderAccess, deliveries: Deliveries): void {
  api.endpoint(
    {
      method: 'get',
      path: '/v1/orders/{orderId}/deliveries',
      tag: 'operations',
      access: ['operations'],
      summary:
        "Every message sent for an order, oldest first: partner, attempts, the partner's last answer, and state (delivered means the partner acknowledged it).",
      params: z.object({ orderId: orderIdSchema }),
      responses: { 200: { description: 'the deliveries', schema: deliveryList } },
    },
    async ({ params }) => ({ status: 200, body: { deliveries: await deliveries.ofOrder(params.orderId) } }),
  );

  api.endpoint(
    {
      method: 'get',
      path: '/v1/deliveries',
      tag: 'operations',
      access: ['operations'],
      summary: "One partner's deliveries, newest first, e.g. everything a channel refused (state=failed-permanently).",
      query: partnerQuery,
      responses: { 200: { description: 'the deliveries', schema: deliveryList } },
    },
    async ({ query }) => ({
      status: 200,
      body: {
        deliveries: await deliveries.ofPartner(
          { kind: query.partnerKind, id: query.partnerId },
          { state: query.state, limit: query.limit },
        ),
      },
    }),
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/orders/{orderId}/deliveries/resolve',
      tag: 'operations',
      access: ['operations'],
      summary:
        'Answer a delivery a partner refused for good (the order shows it under NeedsAttention): retry it, e.g. after fixing the partner settings, or mark it done by hand.',
      params: z.object({ orderId: orderIdSchema }),
      body: z.object({
        key: z.string().trim().min(1).max(300),
        action: z.enum(['retry', 'done']),
        note: z.string().trim().max(500).optional(),
      }),
      responses: { 200: { description: 'the order after the decision', schema: orderViewSchema } },
    },
    async ({ params, body, caller, idempotencyKey }) => ({
      status: 200,
      body: await orders.update(params.orderId, resolveDelivery, { ...body, decidedBy: caller!.id }, idempotencyKey),
    }),
  );
}
