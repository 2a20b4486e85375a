/** Operations: list and read orders, their audit trail, and act on them (review, cancel, address). */
import { z } from 'zod';
import { addressSchema, channelSchema, codeSchema, orderIdSchema } from '../../../domain/order';
import { auditEntrySchema, orderViewSchema } from '../../../domain/orderView';
import { orderStatusSchema } from '../../../domain/status';
import type { OrderReadModel } from '../../../db/orderReadModel';
import { answerEscalation, cancelOrder, changeAddress, reviewHold } from '../../../workflows/order/messages';
import type { OrderAccess } from '../../orderAccess';
import type { Api } from '../../route';

const orderParams = z.object({ orderId: orderIdSchema });
// Strict: an unknown or operator-shaped parameter (e.g. status[$ne]) answers 400 instead of being silently dropped.
const listQuery = z.strictObject({
  status: orderStatusSchema.optional(),
  channel: channelSchema.optional(),
  brand: codeSchema.optional(),
  warehouseId: codeSchema.optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('ordered at or after this instant'),
  to: z.iso.datetime({ offset: true }).optional().describe('ordered before this instant'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
const orderSummary = z.object({
  orderId: z.string(),
  channel: z.string(),
  brand: z.string(),
  status: z.string(),
  holdReasons: z.array(z.string()),
  warehouseIds: z.array(z.string()),
  orderedAt: z.string(),
  updatedAt: z.string(),
});

/** Declares the operations endpoints for orders. */
export function orderRoutes(api: Api, orders: OrderAccess, readModel: OrderReadModel): void {
  api.endpoint(
    {
      method: 'get',
      path: '/v1/orders',
      tag: 'operations',
      access: ['operations'],
      summary: 'List orders from the read model, newest first; filter by status, channel, brand, warehouse and date.',
      query: listQuery,
      responses: {
        200: {
          description: 'a page of orders',
          schema: z.object({ items: z.array(orderSummary), page: z.number(), pageSize: z.number(), total: z.number() }),
        },
      },
    },
    async ({ query }) => {
      const { page, pageSize, from, to, ...filter } = query;
      const { items, total } = await readModel.list(
        { ...filter, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined },
        { page, pageSize },
      );
      return { status: 200, body: { items, page, pageSize, total } };
    },
  );

  api.endpoint(
    {
      method: 'get',
      path: '/v1/orders/{orderId}',
      tag: 'operations',
      access: ['operations'],
      summary: 'One order, read from its workflow, with the workflow status.',
      params: orderParams,
      responses: {
        200: {
          description: 'the order',
          schema: z.object({
            order: orderViewSchema.optional(),
            workflow: z.object({ workflowId: z.string(), runId: z.string().optional(), status: z.string() }),
          }),
        },
      },
    },
    async ({ params }) => ({ status: 200, body: await orders.read(params.orderId) }),
  );

  api.endpoint(
    {
      method: 'get',
      path: '/v1/orders/{orderId}/audit',
      tag: 'operations',
      access: ['operations'],
      summary: 'The audit trail of one order (OP-2): who did what, when, before and after.',
      params: orderParams,
      responses: {
        200: { description: 'entries, oldest first', schema: z.object({ orderId: z.string(), entries: z.array(auditEntrySchema) }) },
      },
    },
    async ({ params }) => ({ status: 200, body: { orderId: params.orderId, entries: await orders.audit(params.orderId) } }),
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/orders/{orderId}/review',
      tag: 'operations',
      access: ['operations'],
      summary: 'Approve or reject a held order; a rejected order is cancelled cleanly.',
      params: orderParams,
      body: z.object({ decision: z.enum(['approve', 'reject']), note: z.string().trim().max(500).optional() }),
      responses: { 200: { description: 'the order after the decision', schema: orderViewSchema } },
    },
    async ({ params, body, caller, idempotencyKey }) => ({
      status: 200,
      body: await orders.update(params.orderId, reviewHold, { ...body, reviewer: caller!.id }, idempotencyKey),
    }),
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/orders/{orderId}/cancel',
      tag: 'operations',
      access: ['operations'],
      summary: 'Operations cancel an order before it ships; reservations, dispatches and payment are compensated.',
      params: orderParams,
      body: z.object({ reason: z.string().trim().min(1).max(500) }),
      responses: { 200: { description: 'cancelled', schema: orderViewSchema } },
    },
    async ({ params, body, caller, idempotencyKey }) => ({
      status: 200,
      body: await orders.update(params.orderId, cancelOrder, { by: 'operations', actor: caller!.id, reason: body.reason }, idempotencyKey),
    }),
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/orders/{orderId}/address',
      tag: 'operations',
      access: ['operations'],
      summary: 'Operations change the delivery address after payment (FS-4); refused once shipped.',
      params: orderParams,
      body: z.object({ address: addressSchema }),
      responses: { 200: { description: 'changed', schema: orderViewSchema } },
    },
    async ({ params, body, caller, idempotencyKey }) => ({
      status: 200,
      body: await orders.update(
        params.orderId,
        changeAddress,
        { address: body.address, requestedBy: 'operations', actor: caller!.id },
        idempotencyKey,
      ),
    }),
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/orders/{orderId}/escalations/{escalationId}',
      tag: 'operations',
      access: ['operations'],
      summary:
        'Acknowledge a fired escalation level (the order stays escalated, with who saw it), or resolve it: the dispatch pause and payout freeze it applied are lifted and the order is unpinned; the resolver is in the audit trail.',
      params: z.object({ orderId: orderIdSchema, escalationId: z.string().trim().min(1).max(120) }),
      body: z.object({ action: z.enum(['acknowledge', 'resolve']), note: z.string().trim().max(500).optional() }),
      responses: { 200: { description: 'the order after the answer', schema: orderViewSchema } },
    },
    async ({ params, body, caller, idempotencyKey }) => ({
      status: 200,
      body: await orders.update(params.orderId, answerEscalation, { id: params.escalationId, ...body, by: caller!.id }, idempotencyKey),
    }),
  );
}
