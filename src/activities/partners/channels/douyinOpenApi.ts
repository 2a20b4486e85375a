/**
 * One signed call to the Douyin shop (抖店) open platform and the reading of its code / sub_code envelope, shared by
 * the write-back and the after-sales refunds.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { ChannelEndpoint } from '../../../config/partners';
import { callPartner, classify, excerptOf, type HttpResponse, jsonOf } from '../http';
import type { PartnerAnswer } from '../types';

/** The 'douyin' variant of a channel endpoint. */
export type DouyinEndpoint = Extract<ChannelEndpoint, { adapter: 'douyin' }>;

/** The platform's success code. */
const SUCCESS = 10000;
/** Platform codes worth another try: service unavailable, internal timeout, rate limited. */
const RETRY_CODES = new Set([20000, 20001, 60000]);
/** Sub-codes that come with a retryable code but that no retry can fix (afterSale/operate: "存在无效的售后单"). */
const NEVER_RETRY_SUB_CODES = new Set(['isp.service-error:10000']);
/** Business failures the docs say to retry later (order busy, system busy, risk review in progress). */
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
  data: z.unknown().optional(),
});

/** A successful call's `data` (read against the caller's schema), or what to tell the delivery activity instead. */
export type DouyinOutcome<T> = { data: T; response: HttpResponse } | { answer: Extract<PartnerAnswer, { outcome: 'retry' | 'refused' }> };

/** Calls one method with its business parameters. */
export type DouyinCall = <S extends z.ZodType>(method: string, params: object, dataSchema: S) => Promise<DouyinOutcome<z.infer<S>>>;

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
function signOf(appKey: string, appSecret: string, method: string, paramJson: string, timestamp: string): string {
  const pattern = `app_key${appKey}method${method}param_json${paramJson}timestamp${timestamp}v2`;
  return createHmac('sha256', appSecret).update(`${appSecret}${pattern}${appSecret}`).digest('hex');
}

/** Reads the platform's envelope: 10000 succeeds, rate limits and busy answers are retried, the rest refused with sub_msg. */
function readEnvelope<S extends z.ZodType>(response: HttpResponse, dataSchema: S): DouyinOutcome<z.infer<S>> {
  const { status, text } = response;
  const excerpt = excerptOf(text);
  const parsed = envelopeSchema.safeParse(jsonOf(text));
  if (!parsed.success)
    return { answer: { outcome: 'refused', status, excerpt, reason: 'unexpected answer from Douyin (no code envelope)' } };
  const { code, msg, sub_code: subCode, sub_msg: subMsg, data } = parsed.data;
  if (code === SUCCESS) {
    const read = dataSchema.safeParse(data);
    if (read.success) return { data: read.data as z.infer<S>, response };
    const issue = read.error.issues[0];
    return {
      answer: {
        outcome: 'refused',
        status,
        excerpt,
        reason: `unexpected answer from Douyin (data.${issue?.path.join('.')}: ${issue?.message})`,
      },
    };
  }
  const reason = `${subMsg || msg || 'no message'} (${code}${subCode ? ` ${subCode}` : ''})`;
  const retry = (RETRY_CODES.has(code) && !(subCode && NEVER_RETRY_SUB_CODES.has(subCode))) || (subCode && RETRY_SUB_CODES.has(subCode));
  return { answer: { outcome: retry ? 'retry' : 'refused', status, excerpt, reason } };
}

/** Builds the caller for one shop's app credentials; a method's path is its name with dots as slashes. */
export function createDouyinCall(endpoint: DouyinEndpoint, options: { timeoutMs: number }): DouyinCall {
  const base = endpoint.baseUrl.replace(/\/+$/, '');
  return async (method, params, dataSchema) => {
    const paramJson = sortedJson(params);
    // Unix seconds, as the platform's own SDKs send it; the platform refuses clocks more than 10 minutes off.
    const timestamp = String(Math.floor(Date.now() / 1000));
    const query = new URLSearchParams({
      app_key: endpoint.appKey,
      method,
      access_token: endpoint.accessToken,
      timestamp,
      v: '2',
      sign_method: 'hmac-sha256',
      sign: signOf(endpoint.appKey, endpoint.appSecret, method, paramJson, timestamp),
    });
    const response = await callPartner({
      url: `${base}/${method.replace(/\./g, '/')}?${query}`,
      // The header asks for the current error codes (code/sub_code), as the platform's SDKs do.
      headers: { 'content-type': 'application/json', 'x-open-no-old-err-code': '1' },
      body: paramJson,
      timeoutMs: options.timeoutMs,
    });
    if ('outcome' in response) return { answer: response };
    if (response.status < 200 || response.status >= 300)
      return { answer: classify(response) as Extract<PartnerAnswer, { outcome: 'retry' | 'refused' }> };
    return readEnvelope(response, dataSchema);
  };
}
