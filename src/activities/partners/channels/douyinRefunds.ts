/**
 * Douyin shop (抖店) refunds. On Douyin the buyer opens the after-sale request (售后单) and the shop approves it with
 * `afterSale.operate`; the platform then pays the buyer back. The hub cannot start a refund there, so a refund names
 * the after-sale it answers (`channelRefundId`). `afterSale.operate` documents no idempotency field (no request_id),
 * so every attempt first reads the after-sale with `afterSale.Detail`: one already approved (by an attempt whose
 * answer was lost, or by a person in 抖店) is not approved again. The approval carries the after-sale's update_time,
 * which the platform checks, so an after-sale the buyer changed since our read is not approved blind.
 */
import { z } from 'zod';
import { excerptOf, type HttpResponse } from '../http';
import type { ChannelAdapter, PartnerAnswer, RefundRequest, RefundStatusAnswer } from '../types';
import type { DouyinCall, DouyinOutcome } from './douyinOpenApi';

const DETAIL = 'afterSale.Detail';
const OPERATE = 'afterSale.operate';
/** afterSale.operate's "agree to refund only" (同意仅退款). */
const AGREE_REFUND = 201;
/** After-sale types a refund-only approval answers: refund only after shipment (1), refund before shipment (2). */
const REFUND_ONLY_TYPES = new Set([1, 2]);
/** after_sale_status 售后申请: waiting for the shop's answer. */
const AWAITING_SHOP = 6;
/** after_sale_status 售后成功: approved. */
const APPROVED = 12;
/** after_sale_status values that end an after-sale without a refund: refused, failed, return refused. */
const CLOSED = new Set([27, 28, 29]);
/** refund_status values: 2 退款中, 3 退款成功, 4 退款失败. */
const REFUNDING = 2;
const REFUNDED = 3;
const REFUND_FAILED = 4;

const id = z.union([z.string(), z.number()]);

const detailSchema = z.object({
  process_info: z.object({
    after_sale_info: z.object({
      after_sale_status: z.number().int(),
      after_sale_status_desc: z.string().optional(),
      after_sale_type: z.number().int(),
      refund_status: z.number().int().optional(),
      refund_total_amount: z.number().int(),
      refund_fail_reason: z.string().optional(),
      update_time: z.number().int().optional(),
    }),
  }),
});

const operateSchema = z
  .object({
    items: z
      .array(z.object({ aftersale_id: id.optional(), status_code: z.number().int().optional(), status_msg: z.string().optional() }))
      .optional(),
  })
  .nullable()
  .optional();

type AfterSale = z.infer<typeof detailSchema>['process_info']['after_sale_info'];

/**
 * The order an after-sale belongs to, read from the raw text: Douyin sends its 19-digit ids as JSON numbers, which
 * JSON.parse would round.
 */
function shopOrderIdOf(text: string): string | undefined {
  return /"shop_order_id"\s*:\s*"?(\d+)/.exec(text)?.[1];
}

/** How an after-sale reads in a reason: its status text and codes. */
function described(afterSaleId: string, info: AfterSale): string {
  return `after-sale ${afterSaleId} is ${info.after_sale_status_desc ?? 'in status'} (status ${info.after_sale_status}, type ${info.after_sale_type})`;
}

/** Builds the refund side of the Douyin adapter. */
export function createDouyinRefunds(call: DouyinCall): Pick<ChannelAdapter, 'requestRefund' | 'refundStatus' | 'writeBackRefund'> {
  /** The after-sale this refund answers, checked to belong to the refund's order, or what to answer instead. */
  async function readAfterSale(
    refund: RefundRequest,
  ): Promise<
    { afterSaleId: string; info: AfterSale; response: HttpResponse } | { answer: Extract<PartnerAnswer, { outcome: 'retry' | 'refused' }> }
  > {
    const afterSaleId = refund.channelRefundId;
    if (!afterSaleId) {
      const reason = "Douyin refunds approve the buyer's after-sale request, and this refund names none (channelRefundId)";
      return { answer: { outcome: 'refused', excerpt: '', reason } };
    }
    const detail: DouyinOutcome<z.infer<typeof detailSchema>> = await call(DETAIL, { after_sale_id: afterSaleId }, detailSchema);
    if ('answer' in detail) return detail;
    const { status, text } = detail.response;
    const owner = shopOrderIdOf(text);
    if (owner && owner !== refund.channelOrderId) {
      const reason = `after-sale ${afterSaleId} belongs to order ${owner}, not ${refund.channelOrderId}`;
      return { answer: { outcome: 'refused', status, excerpt: excerptOf(text), reason } };
    }
    return { afterSaleId, info: detail.data.process_info.after_sale_info, response: detail.response };
  }

  return {
    async requestRefund(refund): Promise<PartnerAnswer> {
      const read = await readAfterSale(refund);
      if ('answer' in read) return read.answer;
      const { afterSaleId, info } = read;
      const { status } = read.response;
      const excerpt = excerptOf(read.response.text);
      const refused = (reason: string): PartnerAnswer => ({ outcome: 'refused', status, excerpt, reason });
      const refundStatus = info.refund_status ?? 0;
      if (info.after_sale_status === APPROVED || refundStatus === REFUNDING || refundStatus === REFUNDED)
        return { outcome: 'delivered', status, excerpt, reference: afterSaleId };
      if (info.after_sale_status !== AWAITING_SHOP || !REFUND_ONLY_TYPES.has(info.after_sale_type))
        return refused(
          `${described(afterSaleId, info)}: not a refund waiting for the shop; a return is approved in 抖店 once its parcel is back`,
        );
      if (info.refund_total_amount !== refund.amountMinor)
        return refused(
          `after-sale ${afterSaleId} asks ${info.refund_total_amount} fen, the hub refunds ${refund.amountMinor}: a person decides in 抖店`,
        );

      const item = { aftersale_id: afterSaleId, ...(info.update_time !== undefined ? { update_time: info.update_time } : {}) };
      const operated = await call(OPERATE, { type: AGREE_REFUND, items: [item] }, operateSchema);
      if ('answer' in operated) return operated.answer;
      const answered = { status: operated.response.status, excerpt: excerptOf(operated.response.text) };
      const failed = operated.data?.items?.find((i) => i.status_code !== undefined && i.status_code !== 0);
      if (failed)
        return { outcome: 'refused', ...answered, reason: `${failed.status_msg ?? 'approval failed'} (status_code ${failed.status_code})` };
      return { outcome: 'delivered', ...answered, reference: afterSaleId };
    },

    async refundStatus(refund): Promise<RefundStatusAnswer> {
      const read = await readAfterSale(refund);
      if ('answer' in read) return read.answer;
      const { afterSaleId, info } = read;
      const answered = {
        outcome: 'answered' as const,
        reference: afterSaleId,
        status: read.response.status,
        excerpt: excerptOf(read.response.text),
      };
      if (info.refund_status === REFUNDED) return { ...answered, state: 'settled' };
      if (info.refund_status === REFUND_FAILED) return { ...answered, state: 'failed', reason: info.refund_fail_reason || 'refund failed' };
      if (CLOSED.has(info.after_sale_status)) return { ...answered, state: 'failed', reason: described(afterSaleId, info) };
      return { ...answered, state: 'pending' };
    },

    // The approved after-sale is the platform's own record of the refund: there is nothing more to tell it.
    writeBackRefund: async () => ({
      outcome: 'delivered',
      status: 0,
      excerpt: 'nothing sent: the approved after-sale is Douyin’s record of the refund',
    }),
  };
}
