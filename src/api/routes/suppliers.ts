/**
 * Drop-ship suppliers work their own orders with their own key (DS-1, DS-2): list the open ones, read their part of
 * one, accept it, reject it, or ship lines of it. A supplier only ever learns of orders it has a shipment in: any
 * other order answers 404 UNKNOWN_ORDER, as if it did not exist.
 */
import { z } from 'zod';
import type { OrderReadModel } from '../../db/orderReadModel';
import { orderIdSchema } from '../../domain/order';
import type { OrderView } from '../../domain/orderView';
import { supplierActionSchema, type SupplierAction } from '../../domain/supplier';
import { supplierOrderViewSchema, supplierViewOf, type SupplierOrderView } from '../../domain/supplierView';
import { reportSupplierAction } from '../../workflows/order/messages';
import { HttpError } from '../errors';
import type { OrderAccess } from '../orderAccess';
import type { Api } from '../route';

const [, rejectAction, shipAction] = supplierActionSchema.options;
const orderParams = z.object({ orderId: orderIdSchema });
// Strict: an unknown or operator-shaped parameter answers 400 instead of being silently dropped.
const listQuery = z.strictObject({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
const openOrderSchema = z.object({ orderId: z.string(), status: z.string(), orderedAt: z.string(), updatedAt: z.string() });
const viewResponse = { 200: { description: "the supplier's part of the order", schema: supplierOrderViewSchema } };

const unknownOrder = (orderId: string) => new HttpError(404, 'UNKNOWN_ORDER', `no order ${orderId} of yours`);

/** The supplier's part of the order, or the 404 a supplier gets for any order it has no shipment in. */
function ownPart(view: OrderView | undefined, orderId: string, supplierId: string): SupplierOrderView {
  const part = view && supplierViewOf(view, supplierId);
  if (!part) throw unknownOrder(orderId);
  return part;
}

/** Declares the supplier endpoints. */
export function supplierRoutes(api: Api, orders: OrderAccess, readModel: OrderReadModel): void {
  /** Sends the supplier's action to the order's workflow and answers with the supplier's part of the order after it. */
  async function act(orderId: string, action: SupplierAction, updateId: string | undefined): Promise<SupplierOrderView> {
    try {
      // The id goes along too: the order dedupes reports itself once it has continued in a new run.
      const report = updateId ? { ...action, reportId: updateId } : action;
      return ownPart(await orders.update(orderId, reportSupplierAction, report, updateId), orderId, action.supplierId);
    } catch (error) {
      // No running workflow: only the order's own supplier may learn that it is closed; to anyone else it does not exist.
      if (error instanceof HttpError && (error.code === 'NOT_FOUND' || error.code === 'ALREADY_CLOSED'))
        ownPart(await readModel.find(orderId), orderId, action.supplierId);
      throw error;
    }
  }

  api.endpoint(
    {
      method: 'get',
      path: '/v1/supplier/orders',
      tag: 'suppliers',
      access: ['supplier'],
      summary: 'My open orders (a shipment of mine pushed and not yet shipped or rejected), oldest first.',
      query: listQuery,
      responses: {
        200: {
          description: 'a page of open orders',
          schema: z.object({ items: z.array(openOrderSchema), page: z.number(), pageSize: z.number(), total: z.number() }),
        },
      },
    },
    async ({ query: { page, pageSize }, caller }) => {
      const { items, total } = await readModel.openOrdersOfSupplier(caller!.id, { page, pageSize });
      return { status: 200, body: { items, page, pageSize, total } };
    },
  );

  api.endpoint(
    {
      method: 'get',
      path: '/v1/supplier/orders/{orderId}',
      tag: 'suppliers',
      access: ['supplier'],
      summary: 'My part of one order: my lines (no prices), my shipments and the address. Any order without a shipment of mine is a 404.',
      params: orderParams,
      responses: viewResponse,
    },
    async ({ params: { orderId }, caller }) => {
      const read = await orders.read(orderId).catch((error: unknown) => {
        if (error instanceof HttpError && error.status === 404) return { order: undefined };
        throw error;
      });
      return { status: 200, body: ownPart(read.order, orderId, caller!.id) };
    },
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/supplier/orders/{orderId}/accept',
      tag: 'suppliers',
      access: ['supplier'],
      summary: 'Accept my pushed shipments of the order. Send an Idempotency-Key to make retries safe.',
      params: orderParams,
      body: z.strictObject({}),
      responses: viewResponse,
    },
    async ({ params: { orderId }, caller, idempotencyKey }) => ({
      status: 200,
      body: await act(orderId, { action: 'accept', supplierId: caller!.id, at: new Date().toISOString() }, idempotencyKey),
    }),
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/supplier/orders/{orderId}/reject',
      tag: 'suppliers',
      access: ['supplier'],
      summary:
        'Reject my unshipped lines of the order, with a reason: the hub routes them elsewhere, or holds the order with the reason. Send an Idempotency-Key to make retries safe.',
      params: orderParams,
      body: z.strictObject(rejectAction.pick({ reason: true }).shape),
      responses: viewResponse,
    },
    async ({ params: { orderId }, body, caller, idempotencyKey }) => ({
      status: 200,
      body: await act(orderId, { action: 'reject', supplierId: caller!.id, at: new Date().toISOString(), ...body }, idempotencyKey),
    }),
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/supplier/orders/{orderId}/shipments',
      tag: 'suppliers',
      access: ['supplier'],
      summary:
        'Report a parcel of my lines shipped (all or some of a shipment). The same report twice is taken once: its id is the Idempotency-Key, or else the tracking number.',
      params: orderParams,
      body: z.strictObject(shipAction.pick({ carrier: true, trackingNumber: true, lineIds: true }).shape),
      responses: viewResponse,
    },
    async ({ params: { orderId }, body, caller, idempotencyKey }) => {
      const supplierId = caller!.id;
      // Without a key the parcel's tracking number names the report, so a resent report ships nothing twice.
      const updateId = idempotencyKey ?? `supplier-ship:${supplierId}:${body.trackingNumber}`;
      const view = await act(orderId, { action: 'ship', supplierId, at: new Date().toISOString(), ...body }, updateId);
      return { status: 200, body: view };
    },
  );
}
