/**
 * A carrier's e-waybill service on loopback: a signed-webhook receiver that issues `${code}${sequence}` for each
 * `waybill.requested`, and the same number again when the hub repeats a webhook-id (its answer was lost).
 */
import { z } from 'zod';
import { startWebhookReceiver, type WebhookReceiver } from './webhookReceiver';

/** One issued e-waybill. */
export interface IssuedWaybill {
  /** The request's webhook-id. */
  id: string;
  trackingNumber: string;
  orderId: string;
  shipmentId: string;
}

/** How to start a carrier. */
export interface CarrierOptions {
  /** The carrier code, the prefix of every tracking number it issues. */
  code: string;
  secrets: string[];
  port?: number;
}

/** A running carrier. */
export interface CarrierSimulator extends WebhookReceiver {
  /** Waybills issued, one per distinct request, in order. */
  waybills(): IssuedWaybill[];
}

// A real carrier rejects a request it cannot print a label for; the simulator checks what it needs to.
const waybillRequestSchema = z.looseObject({ orderId: z.string().min(1), shipmentId: z.string().min(1), recipient: z.looseObject({}) });

/** Starts a carrier on a free loopback port (or `port`). */
export async function startCarrier(options: CarrierOptions): Promise<CarrierSimulator> {
  const issued: IssuedWaybill[] = [];
  const receiver = await startWebhookReceiver({
    secrets: options.secrets,
    port: options.port,
    handler(event) {
      if (event.type !== 'waybill.requested') return { status: 200, body: { ok: true } };
      const request = waybillRequestSchema.safeParse(event.data);
      if (!request.success) return { status: 422, body: { message: `invalid waybill request: ${z.prettifyError(request.error)}` } };
      const trackingNumber = `${options.code}${issued.length + 1}`;
      issued.push({ id: event.id, trackingNumber, orderId: request.data.orderId, shipmentId: request.data.shipmentId });
      return { status: 200, body: { trackingNumber } };
    },
  });
  return { ...receiver, waybills: () => [...issued] };
}
