/** Operations: list and read orders, their audit trail, and act on them (review, cancel, address). */
import { z } from 'zod';
import { addressSchema, channelSchema, codeSchema, orderIdSchema } from '../../domain/order';
import { orderStatusSchema } from '../../domain/status';
import type { Database } from '../../db/connection';
import { cancelOrder, changeAddress, reviewHold } from '../../workflows/order/messages';
import type { OrderWorkflows } from '../orderWorkflows';
import type { Api } from '../route';
import { auditEntrySchema, orderViewSchema } from './schemas';

const orderParams = z.object({ orderId: orderIdSchema });
const listQuery = z.object({
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
  orderId: z.string(), channel: z.string(), brand: z.string(), status: z.string(), holdReasons: z.array(z.string()),
  warehouseIds: z.array(z.string()), orderedAt: z.string(), updatedAt: z.string(),
});

/** Declares the operations endpoints for orders. */
export function orderRoutes(api: Api, orders: OrderWorkflows, db: Database): void {
  api.endpoint({
    method: 'get', path: '/v1/orders', tag: 'operations', access: 'operations',
    summary: 'List orders from the read model, newest first; filter by status, channel, brand, warehouse and date.',
    query: listQuery,
    responses: { 200: { description: 'a page of orders', schema: z.object({ items: z.array(orderSummary), page: z.number(), pageSize: z.number(), total: z.number() }) } },
  }, async ({ query }) => {
    const filter: Record<string, unknown> = {};
    if (query.status) filter.status = query.status;
    if (query.channel) filter.channel = query.channel;
    if (query.brand) filter.brand = query.brand;
    if (query.warehouseId) filter.warehouseIds = query.warehouseId;
    if (query.from || query.to) filter.orderedAt = { ...(query.from ? { $gte: new Date(query.from) } : {}), ...(query.to ? { $lt: new Date(query.to) } : {}) };
    const [records, total] = await Promise.all([
      db.models.Order.find(filter, { view: 0 }).sort({ orderedAt: -1, _id: 1 }).skip((query.page - 1) * query.pageSize).limit(query.pageSize).lean(),
      db.models.Order.countDocuments(filter),
    ]);
    const items = records.map((r) => ({
      orderId: r._id, channel: r.channel, brand: r.brand, status: r.status, holdReasons: r.holdReasons, warehouseIds: r.warehouseIds,
      orderedAt: r.orderedAt.toISOString(), updatedAt: r.updatedAt.toISOString(),
    }));
    return { status: 200, body: { items, page: query.page, pageSize: query.pageSize, total } };
  });

  api.endpoint({
    method: 'get', path: '/v1/orders/{orderId}', tag: 'operations', access: 'operations',
    summary: 'One order, read from its workflow, with the workflow status.',
    params: orderParams,
    responses: { 200: { description: 'the order', schema: z.object({ order: orderViewSchema.optional(), workflow: z.object({ workflowId: z.string(), runId: z.string().optional(), status: z.string() }) }) } },
  }, async ({ params }) => ({ status: 200, body: await orders.read(params.orderId) }));

  api.endpoint({
    method: 'get', path: '/v1/orders/{orderId}/audit', tag: 'operations', access: 'operations',
    summary: 'The audit trail of one order (OP-2): who did what, when, before and after.',
    params: orderParams,
    responses: { 200: { description: 'entries, oldest first', schema: z.object({ orderId: z.string(), entries: z.array(auditEntrySchema) }) } },
  }, async ({ params }) => {
    const entries = await db.models.AuditEvent.find({ orderId: params.orderId }).sort({ seq: 1 }).lean();
    return {
      status: 200,
      body: { orderId: params.orderId, entries: entries.map(({ seq, at, actor, action, before, after, detail }) => ({ seq, at: at.toISOString(), actor, action, before, after, detail })) },
    };
  });

  api.endpoint({
    method: 'post', path: '/v1/orders/{orderId}/review', tag: 'operations', access: 'operations',
    summary: 'Approve or reject a held order; a rejected order is cancelled cleanly.',
    params: orderParams, body: z.object({ decision: z.enum(['approve', 'reject']), note: z.string().trim().max(500).optional() }),
    responses: { 200: { description: 'the order after the decision', schema: orderViewSchema } },
  }, async ({ params, body, caller, idempotencyKey }) => ({
    status: 200, body: await orders.update(params.orderId, reviewHold, { ...body, reviewer: caller!.id }, idempotencyKey),
  }));

  api.endpoint({
    method: 'post', path: '/v1/orders/{orderId}/cancel', tag: 'operations', access: 'operations',
    summary: 'Operations cancel an order before it ships; reservations, dispatches and payment are compensated.',
    params: orderParams, body: z.object({ reason: z.string().trim().min(1).max(500) }),
    responses: { 200: { description: 'cancelled', schema: orderViewSchema } },
  }, async ({ params, body, caller, idempotencyKey }) => ({
    status: 200, body: await orders.update(params.orderId, cancelOrder, { by: 'operations', actor: caller!.id, reason: body.reason }, idempotencyKey),
  }));

  api.endpoint({
    method: 'post', path: '/v1/orders/{orderId}/address', tag: 'operations', access: 'operations',
    summary: 'Operations change the delivery address after payment (FS-4); refused once shipped.',
    params: orderParams, body: z.object({ address: addressSchema }),
    responses: { 200: { description: 'changed', schema: orderViewSchema } },
  }, async ({ params, body, caller, idempotencyKey }) => ({
    status: 200, body: await orders.update(params.orderId, changeAddress, { address: body.address, requestedBy: 'operations', actor: caller!.id }, idempotencyKey),
  }));
}
