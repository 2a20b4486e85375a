/**
 * Douyin shop (抖店) write-back: one parcel per call to `order.logisticsAddSinglePack`, which ships exactly the
 * sub-orders (our lines) in that parcel under one waybill. The call carries `request_id`, the platform's documented
 * idempotency field: a repeated request_id after a success returns the first result without shipping again.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { ChannelEndpoint } from '../../../config/partners';
import { callPartner, classify, excerptOf, type HttpResponse, jsonOf } from '../http';
import type { ChannelAdapter, PartnerAnswer, ShipmentWriteBack } from '../types';

/** The 'douyin' variant of a channel endpoint. */
type DouyinEndpoint = Extract<ChannelEndpoint, { adapter: 'douyin' }>;

const METHOD = 'order.logisticsAddSinglePack';
const PATH = '/order/logisticsAddSinglePack';
const SUCCESS = 10000;

/** Platform codes worth another try: service unavailable, internal timeout, rate limited. */
const RETRY_CODES = new Set([20000, 20001, 60000]);
/** Business failures the write-back docs say to retry later (order busy, system busy, risk review in progress). */
const RETRY_SUB_CODES = new Set([
  'isv.business-failed:70009',
  'isv.business-failed:70011',
  'isv.business-failed:60109',
  'isv.business-failed:60118',
  'isv.business-failed:60124',
  'isv.business-failed:8888',
  // Our request_id is still being processed; the next attempt gets the first attempt's result.
  'isv.idempotent-id-existed',
]);

const envelopeSchema = z.object({
  code: z.number().int(),
  msg: z.string().optional(),
  sub_code: z.string().optional(),
  sub_msg: z.string().optional(),
  data: z
    .object({ pack_id: z.union([z.string(), z.number()]).optional() })
    .nullable()
    .optional(),
});

/** JSON with every object's keys sorted, no whitespace: the form `param_json` must take to be signed. */
function sortedJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

/**
 * The documented `sign` (sign_method hmac-sha256): app_key, method, param_json, timestamp and v, sorted by name and
 * concatenated as name+value, wrapped in app_secret on both sides, HMAC-SHA256 keyed with app_secret, lower-case hex.
 */
function signOf(appKey: string, appSecret: string, paramJson: string, timestamp: string): string {
  const pattern = `app_key${appKey}method${METHOD}param_json${paramJson}timestamp${timestamp}v2`;
  return createHmac('sha256', appSecret).update(`${appSecret}${pattern}${appSecret}`).digest('hex');
}

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

/** Reads the platform's envelope: 10000 delivered, rate limits and busy answers retried, the rest refused with sub_msg. */
function readEnvelope(response: HttpResponse): PartnerAnswer {
  const { status, text } = response;
  const excerpt = excerptOf(text);
  const body = jsonOf(text);
  const parsed = envelopeSchema.safeParse(body);
  if (!parsed.success) return { outcome: 'refused', status, excerpt, reason: 'unexpected answer from Douyin (no code envelope)' };
  const { code, msg, sub_code: subCode, sub_msg: subMsg, data } = parsed.data;
  if (code === SUCCESS) {
    const packId = data?.pack_id;
    return { outcome: 'delivered', status, excerpt, ...(packId !== undefined ? { reference: String(packId) } : {}) };
  }
  const reason = `${subMsg || msg || 'no message'} (${code}${subCode ? ` ${subCode}` : ''})`;
  if (RETRY_CODES.has(code) || (subCode && RETRY_SUB_CODES.has(subCode))) return { outcome: 'retry', status, excerpt, reason };
  return { outcome: 'refused', status, excerpt, reason };
}

/** Builds the Douyin adapter for one shop's app credentials. */
export function createDouyinAdapter(endpoint: DouyinEndpoint, options: { timeoutMs: number }): ChannelAdapter {
  const base = endpoint.baseUrl.replace(/\/+$/, '');
  return {
    dedupe: 'idempotency-key',
    async writeBackShipment(writeBack, key) {
      const companyCode = endpoint.companyCodes[writeBack.carrier] ?? writeBack.carrier;
      const paramJson = sortedJson(paramsOf(writeBack, companyCode, key));
      // Unix seconds, as the platform's own SDKs send it; the platform refuses clocks more than 10 minutes off.
      const timestamp = String(Math.floor(Date.now() / 1000));
      const query = new URLSearchParams({
        app_key: endpoint.appKey,
        method: METHOD,
        access_token: endpoint.accessToken,
        timestamp,
        v: '2',
        sign_method: 'hmac-sha256',
        sign: signOf(endpoint.appKey, endpoint.appSecret, paramJson, timestamp),
      });
      const response = await callPartner({
        url: `${base}${PATH}?${query}`,
        // The header asks for the current error codes (code/sub_code), as the platform's SDKs do.
        headers: { 'content-type': 'application/json', 'x-open-no-old-err-code': '1' },
        body: paramJson,
        timeoutMs: options.timeoutMs,
      });
      if ('outcome' in response) return response;
      if (response.status < 200 || response.status >= 300) return classify(response);
      return readEnvelope(response);
    },
  };
}
