/** Channel webhooks: signed order events, buyer cancellations and address changes (returns: routes/returns.ts). */
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { channelSchema, codeSchema } from '../../domain/order';
import { orderIdOf } from '../../domain/ids';
import { addressChangeSchema, orderEventWireSchema } from '../../domain/orderEvents';
import { cancelOrder, changeAddress } from '../../workflows/order/messages';
import { HttpError } from '../errors';
import type { OrderAccess } from '../orderAccess';
import type { Api } from '../route';
import { orderViewSchema } from '../../domain/orderView';
import { orderStatusSchema } from '../../domain/status';
import { observeWebhookAck } from '../../metrics/hub';

const channelParams = z.object({ channel: channelSchema });
const orderParams = z.object({ channel: channelSchema, channelOrderId: codeSchema });
const intakeAnswer = z.object({
  orderId: z.string(),
  status: z
    .enum(['ACCEPTED', ...orderStatusSchema.options])
    .describe(
      'ACCEPTED: Temporal holds the event and the order workflow applies it; read the order at GET /v1/orders/{orderId}. A finished order answers with its final status.',
    ),
});

/** Where channels push order events; its answers are timed by `measureWebhookAcks`. */
export const eventsWebhookPath = '/v1/channels/:channel/events';

/** Times every answer of the events webhook, refusals included (signature, validation, rate limit), for the ack metrics. */
export const measureWebhookAcks: RequestHandler = (req, res, next) => {
  const started = process.hrtime.bigint();
  // Read now: later layers replace req.params. Only known channels become label values, so callers cannot mint series.
  const known = channelSchema.safeParse(req.params.channel);
  const channel = known.success ? known.data : 'unknown';
  res.once('finish', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const outcome = res.statusCode >= 500 ? 'failed' : res.statusCode >= 400 ? 'refused' : 'accepted';
    observeWebhookAck(channel, outcome, seconds);
  });
  next();
};

/** Declares the channel endpoints. */
export function channelRoutes(api: Api, orders: OrderAccess): void {
  api.endpoint(
    {
      method: 'post',
      path: '/v1/channels/{channel}/events',
      tag: 'channels',
      access: ['channel'],
      summary:
        'Push an order event (a full order snapshot, or a payment notice); answered once Temporal holds it. Repeats and out-of-order events converge on one order.',
      params: channelParams,
      body: orderEventWireSchema,
      responses: {
        202: {
          description: 'accepted: durably taken, even while no worker runs; a repeated event id changes nothing',
          schema: intakeAnswer,
        },
      },
    },
    async ({ params, body }) => {
      if (body.type === 'snapshot' && body.order.channel !== params.channel) {
        throw new HttpError(400, 'VALIDATION', 'invalid body', [
          { path: 'order.channel', message: `must be ${params.channel}, the channel of this webhook` },
        ]);
      }
      return { status: 202, body: await orders.submitEvent(params.channel, body) };
    },
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/channels/{channel}/orders/{channelOrderId}/cancel',
      tag: 'channels',
      access: ['channel'],
      summary: 'The channel or the buyer cancels an order before it ships; compensations run.',
      params: orderParams,
      body: z.object({
        by: z.enum(['channel', 'buyer']),
        actor: z.string().trim().min(1).max(64),
        reason: z.string().trim().min(1).max(500),
      }),
      responses: { 200: { description: 'cancelled', schema: orderViewSchema } },
    },
    async ({ params, body, idempotencyKey }) => ({
      status: 200,
      body: await orders.update(orderIdOf(params.channel, params.channelOrderId), cancelOrder, body, idempotencyKey),
    }),
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/channels/{channel}/orders/{channelOrderId}/address',
      tag: 'channels',
      access: ['channel'],
      summary: 'The buyer changes the delivery address after payment (FS-4); refused once shipped.',
      params: orderParams,
      body: addressChangeSchema.omit({ requestedBy: true }),
      responses: { 200: { description: 'changed', schema: orderViewSchema } },
    },
    async ({ params, body, idempotencyKey }) => ({
      status: 200,
      body: await orders.update(
        orderIdOf(params.channel, params.channelOrderId),
        changeAddress,
        { ...body, requestedBy: 'buyer' },
        idempotencyKey,
      ),
    }),
  );
}
