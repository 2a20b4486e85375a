/**
 * Douyin shop (抖店) write-back: one parcel per call to `order.logisticsAddSinglePack`, which ships exactly the
 * sub-orders (our lines) in that parcel under one waybill. The call carries `request_id`, the platform's documented
 * idempotency field: a repeated request_id after a success returns the first result without shipping again.
 * Refunds: see douyinRefunds.ts.
 */
import { z } from 'zod';
import { excerptOf } from '../http';
import type { ChannelAdapter, ShipmentWriteBack } from '../types';
import { createDouyinCall, type DouyinEndpoint } from './douyinOpenApi';
import { createDouyinRefunds } from './douyinRefunds';

const METHOD = 'order.logisticsAddSinglePack';

const packSchema = z
  .object({ pack_id: z.union([z.string(), z.number()]).optional() })
  .nullable()
  .optional();

/** The business parameters of one parcel: our lines are Douyin sub-orders, shipped under our tracking number. */
function paramsOf(writeBack: ShipmentWriteBack, companyCode: string, key: string) {
  return {
    order_id_list: [writeBack.channelOrderId],
    shipped_order_info: writeBack.lines.map((line) => ({ shipped_order_id: line.lineId, shipped_num: line.quantity })),
    logistics_code: writeBack.trackingNumber,
    company_code: companyCode,
    request_id: key,
  };
}

/** Builds the Douyin adapter for one shop's app credentials. */
export function createDouyinAdapter(endpoint: DouyinEndpoint, options: { timeoutMs: number }): ChannelAdapter {
  const call = createDouyinCall(endpoint, options);
  return {
    dedupe: 'idempotency-key',
    async writeBackShipment(writeBack, key) {
      const companyCode = endpoint.companyCodes[writeBack.carrier] ?? writeBack.carrier;
      const shipped = await call(METHOD, paramsOf(writeBack, companyCode, key), packSchema);
      if ('answer' in shipped) return shipped.answer;
      const packId = shipped.data?.pack_id;
      const { status, text } = shipped.response;
      return { outcome: 'delivered', status, excerpt: excerptOf(text), ...(packId !== undefined ? { reference: String(packId) } : {}) };
    },
    ...createDouyinRefunds(call),
  };
}
