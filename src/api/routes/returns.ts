/**
 * Returns (RF-1…RF-4): the customer asks through the channel (signed) or operations ask; the receiving warehouse or
 * supplier scans the parcel in and reports its inspection; operations decide on units not resellable, list returns and
 * read return rates. Each return is a workflow of its own; a finished one is read from the returns store.
 */
import type { UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import type { Returns } from '../../db/returns';
import { orderIdOf } from '../../domain/ids';
import { channelSchema, codeSchema, orderIdSchema } from '../../domain/order';
import type { OrderView } from '../../domain/orderView';
import { instantSchema } from '../../domain/primitives';
import {
  inspectionLineSchema,
  returnIdSchema,
  returnReasonSchema,
  returnRequestBodySchema,
  returnStatusSchema,
  returnViewSchema,
  type ReturnRequest,
  type ReturnView,
} from '../../domain/returns';
import { requestReturn } from '../../workflows/order/messages';
import { cancelReturn, decideReturn, inspectReturn, receiveReturn } from '../../workflows/returns/messages';
import type { OrderAccess } from '../orderAccess';
import { HttpError } from '../errors';
import type { Api } from '../route';
import type { WorkflowClient } from '../workflowClient';

const channelOrderParams = z.object({ channel: channelSchema, channelOrderId: codeSchema });
const orderParams = z.object({ orderId: orderIdSchema });
const returnParams = orderParams.extend({ returnId: returnIdSchema });
const acceptedSchema = z.object({ orderId: z.string(), returnId: z.string(), rma: z.string().optional(), status: z.string().optional() });
const listQuery = z.strictObject({
  status: returnStatusSchema.optional(),
  reason: returnReasonSchema.optional(),
  brand: codeSchema.optional(),
  sku: codeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: z.string().max(200).optional().describe('the `next` of the previous page'),
});

/** Declares the return endpoints. */
export function returnRoutes(api: Api, orders: OrderAccess, workflows: WorkflowClient, returns: Returns): void {
  /** Asks the order for a return and answers what it accepted (its RMA), or its refusal (RF-1). */
  const request = async (
    orderId: string,
    body: Omit<ReturnRequest, 'requestedBy' | 'actor'>,
    by: Pick<ReturnRequest, 'requestedBy' | 'actor'>,
  ) => {
    // No update id: a refused request may be corrected and sent again under its return id, which the order dedupes itself.
    const view: OrderView = await orders.update(orderId, requestReturn, { ...body, ...by });
    const entry = view.returns.find((r) => r.returnId === body.returnId);
    return { status: 201 as const, body: { orderId, returnId: body.returnId, rma: entry?.rma, status: entry?.status } };
  };
  /** The return's state: from its workflow while it runs, else from the returns store; 404 when there is none. */
  const read = async (orderId: string, returnId: string): Promise<ReturnView> => {
    const view = (await workflows.readReturn(orderId, returnId)) ?? (await returns.get(orderId, returnId));
    if (!view) throw new HttpError(404, 'UNKNOWN_RETURN', `no return ${returnId} on order ${orderId}`);
    return view;
  };
  /** Sends an update to a running return; a finished one answers 409, an unknown one 404. */
  const act = async <Arg>(orderId: string, returnId: string, update: UpdateDefinition<ReturnView, [Arg]>, arg: Arg, key?: string) => {
    const outcome = await workflows.updateReturn(orderId, returnId, update, arg, key);
    if (outcome.applied) return { status: 200 as const, body: outcome.view };
    const closed = await returns.get(orderId, returnId);
    if (closed) throw new HttpError(409, 'INVALID_TRANSITION', `return ${returnId} is already ${closed.status}`);
    throw new HttpError(404, 'UNKNOWN_RETURN', `no return ${returnId} on order ${orderId}`);
  };
  const accepted = { 201: { description: 'the return was accepted: its RMA', schema: acceptedSchema } };
  const withdrawal = z.object({ reason: z.string().trim().min(1).max(500) });
  const withdrawn = { 200: { description: 'the return, CANCELLED', schema: returnViewSchema } };
  const withdrawnSummary =
    'withdraws a return before its parcel arrives: the receiving WMS stops expecting it and its units may be asked for again. 409 RETURN_ALREADY_RECEIVED once the parcel is in (inspection decides then), INVALID_TRANSITION when already closed.';

  api.endpoint(
    {
      method: 'post',
      path: '/v1/channels/{channel}/orders/{channelOrderId}/returns',
      tag: 'channels',
      access: ['channel'],
      summary:
        "The buyer asks to return lines and quantities (RF-1): checked at once against each line's delivery and return window, the brand's returnable catalog and what was shipped minus already returned. A repeated return id answers the first. 422 NOT_RETURNABLE / RETURN_QUANTITY_EXCEEDED, 409 RETURN_WINDOW_CLOSED / NOT_DELIVERED.",
      params: channelOrderParams,
      body: returnRequestBodySchema,
      responses: accepted,
    },
    async ({ params, body }) =>
      request(orderIdOf(params.channel, params.channelOrderId), body, { requestedBy: 'buyer', actor: params.channel }),
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/orders/{orderId}/returns',
      tag: 'returns',
      access: ['operations'],
      summary: "Operations open a return for the customer (RF-1), checked like a buyer's.",
      params: orderParams,
      body: returnRequestBodySchema,
      responses: accepted,
    },
    async ({ params, body, caller }) => request(params.orderId, body, { requestedBy: 'operations', actor: caller!.id }),
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/channels/{channel}/orders/{channelOrderId}/returns/{returnId}/cancel',
      tag: 'channels',
      access: ['channel'],
      summary: `The buyer ${withdrawnSummary}`,
      params: channelOrderParams.extend({ returnId: returnIdSchema }),
      body: withdrawal,
      responses: withdrawn,
    },
    async ({ params, body, idempotencyKey }) =>
      act(
        orderIdOf(params.channel, params.channelOrderId),
        params.returnId,
        cancelReturn,
        { by: `buyer via ${params.channel}`, at: new Date().toISOString(), reason: body.reason },
        idempotencyKey,
      ),
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/orders/{orderId}/returns/{returnId}/cancel',
      tag: 'returns',
      access: ['operations'],
      summary: `Operations ${withdrawnSummary}`,
      params: returnParams,
      body: withdrawal,
      responses: withdrawn,
    },
    async ({ params, body, caller, idempotencyKey }) =>
      act(
        params.orderId,
        params.returnId,
        cancelReturn,
        { by: caller!.id, at: new Date().toISOString(), reason: body.reason },
        idempotencyKey,
      ),
  );

  api.endpoint(
    {
      method: 'get',
      path: '/v1/orders/{orderId}/returns/{returnId}',
      tag: 'returns',
      access: ['operations'],
      summary: 'One return: status, label, receipt, inspection report, refund and its settlement, timeline.',
      params: returnParams,
      responses: { 200: { description: 'the return', schema: returnViewSchema } },
    },
    async ({ params }) => ({ status: 200, body: await read(params.orderId, params.returnId) }),
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/orders/{orderId}/returns/{returnId}/receipt',
      tag: 'fulfilment',
      access: ['warehouse', 'supplier', 'operations'],
      summary: "The receiving warehouse (or supplier) scanned the returned parcel in (RF-3). Another party's return answers 404.",
      params: returnParams,
      body: z.object({ at: instantSchema, trackingNumber: z.string().trim().max(40).optional() }),
      responses: { 200: { description: 'the return, RECEIVED', schema: returnViewSchema } },
    },
    async ({ params, body, caller, idempotencyKey }) =>
      act(params.orderId, params.returnId, receiveReturn, { ...body, by: { kind: caller!.kind, id: caller!.id } }, idempotencyKey),
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/orders/{orderId}/returns/{returnId}/inspection',
      tag: 'fulfilment',
      access: ['warehouse', 'supplier', 'operations'],
      summary:
        'The inspection report (RF-3): every returned unit graded intact, light wear or not resellable, with notes. Resellable units go back to stock at once; the refund follows, or operations decide on units not resellable. 422 INSPECTION_MISMATCH.',
      params: returnParams,
      body: z.object({ lines: z.array(inspectionLineSchema).min(1).max(400), inspector: codeSchema, at: instantSchema }),
      responses: { 200: { description: 'the return, inspected', schema: returnViewSchema } },
    },
    async ({ params, body, caller, idempotencyKey }) =>
      act(params.orderId, params.returnId, inspectReturn, { ...body, by: { kind: caller!.kind, id: caller!.id } }, idempotencyKey),
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/orders/{orderId}/returns/{returnId}/decision',
      tag: 'returns',
      access: ['operations'],
      summary:
        'Operations decide on units inspection found not resellable: the share of their price refunded per line (0: nothing, the item is sent back). Also asks a refused refund again.',
      params: returnParams,
      body: z.object({
        lines: z.array(
          z.object({ lineId: codeSchema, refundPercent: z.int().min(0).max(100), note: z.string().trim().max(500).optional() }),
        ),
      }),
      responses: { 200: { description: 'the return', schema: returnViewSchema } },
    },
    async ({ params, body, caller, idempotencyKey }) =>
      act(params.orderId, params.returnId, decideReturn, { ...body, by: caller!.id, at: new Date().toISOString() }, idempotencyKey),
  );

  api.endpoint(
    {
      method: 'get',
      path: '/v1/returns',
      tag: 'returns',
      access: ['operations'],
      summary: 'Returns, newest first, by status, reason, brand or SKU; pages follow `next`.',
      query: listQuery,
      responses: {
        200: { description: 'a page of returns', schema: z.object({ items: z.array(z.unknown()), next: z.string().optional() }) },
      },
    },
    async ({ query }) => ({ status: 200, body: await returns.list(query) }),
  );

  api.endpoint(
    {
      method: 'get',
      path: '/v1/returns/rates',
      tag: 'returns',
      access: ['operations'],
      summary: 'Return rate per SKU and per reason: units returned of units shipped in [from, to), for one brand or all.',
      query: z.strictObject({ brand: codeSchema.optional(), from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }),
      responses: { 200: { description: 'rates', schema: z.unknown() } },
    },
    async ({ query }) => ({
      status: 200,
      body: await returns.returnRates({
        ...(query.brand ? { brand: query.brand } : {}),
        from: new Date(query.from),
        to: new Date(query.to),
      }),
    }),
  );
}
