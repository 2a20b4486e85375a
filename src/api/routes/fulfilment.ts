/** Warehouses (WMS), drop-ship suppliers and carriers report a shipment's progress with their own keys. */
import { z } from 'zod';
import { orderIdSchema } from '../../domain/order';
import { shipmentIdSchema, shipmentReportSchema } from '../../domain/shipmentReports';
import { shipmentReceiptSchema } from '../../domain/orderView';
import { reportShipmentProgress } from '../../workflows/order/messages';
import type { OrderAccess } from '../orderAccess';
import { actorOf } from '../auth';
import type { Api } from '../route';

/** Declares the shipment progress endpoint. */
export function fulfilmentRoutes(api: Api, orders: OrderAccess): void {
  api.endpoint(
    {
      method: 'post',
      path: '/v1/orders/{orderId}/shipments/{shipmentId}/progress',
      tag: 'fulfilment',
      access: ['warehouse', 'supplier', 'carrier', 'operations'],
      summary:
        'Report a shipment step (WMS progress, tracking number on "shipped", carrier delivery). A warehouse or supplier key reports only its own shipments, a carrier key only the parcels it carries; any other shipment answers 404. Send an Idempotency-Key to make retries safe.',
      params: z.object({ orderId: orderIdSchema, shipmentId: shipmentIdSchema }),
      body: shipmentReportSchema,
      responses: {
        200: { description: "the reported parcel after the report (nothing of other parties' parcels)", schema: shipmentReceiptSchema },
      },
    },
    async ({ params, body, caller, idempotencyKey }) => ({
      status: 200,
      body: await orders.update(
        params.orderId,
        reportShipmentProgress,
        // The key goes along as the report's id: the order dedupes reports itself once it has continued in a new run.
        { ...body, shipmentId: params.shipmentId, reporter: actorOf(caller!), ...(idempotencyKey ? { reportId: idempotencyKey } : {}) },
        idempotencyKey,
      ),
    }),
  );
}
