/** Warehouses, suppliers and carriers report a shipment's progress: accepted … shipped, delivered. */
import { z } from 'zod';
import { orderIdSchema } from '../../domain/order';
import { shipmentIdSchema, shipmentReportSchema } from '../../domain/orderEvents';
import { reportShipmentProgress } from '../../workflows/order/messages';
import type { OrderWorkflows } from '../orderWorkflows';
import type { Api } from '../route';
import { orderViewSchema } from './schemas';

/** Declares the shipment progress endpoint. */
export function shipmentRoutes(api: Api, orders: OrderWorkflows): void {
  api.endpoint({
    method: 'post', path: '/v1/orders/{orderId}/shipments/{shipmentId}/progress', tag: 'fulfilment', access: 'operations',
    summary: 'Report a shipment step (WMS progress, tracking number on "shipped", carrier delivery). Send an Idempotency-Key to make retries safe.',
    params: z.object({ orderId: orderIdSchema, shipmentId: shipmentIdSchema }),
    body: shipmentReportSchema,
    responses: { 200: { description: 'the order after the report', schema: orderViewSchema } },
  }, async ({ params, body, idempotencyKey }) => ({
    status: 200,
    body: await orders.update(params.orderId, reportShipmentProgress, { ...body, shipmentId: params.shipmentId }, idempotencyKey),
  }));
}
