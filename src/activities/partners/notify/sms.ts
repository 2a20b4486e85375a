/**
 * SMS through Aliyun's `SendSms` (dysmsapi, RPC style, version 2017-05-25): one GET per message, signed with the
 * AccessKey as the RPC signature documents, answered `{"Code":"OK","BizId":…}` or an error code.
 *
 * Messages use one registered notification template whose variables are `${subject}` and `${text}`; links cannot be
 * template variables, so an SMS carries no link. Each variable is cut to the template's length limit (35 characters
 * for a notification template's variables unless the account agreed otherwise, `paramMaxChars`).
 *
 * SendSms keeps no idempotency (its docs say so): our key travels as `OutId`, which the gateway only echoes into
 * delivery receipts. A retry after a lost answer sends the SMS again; the deliveries log is what keeps that rare.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { callPartner, excerptOf, type HttpResponse, jsonOf, retryAfterMs } from '../http';
import type { PartnerAnswer } from '../types';
import { oneLine, shortenToChars } from './text';
import type { Notice, NotifierOptions, PersonalChannel } from './types';

/** One Aliyun account's SMS settings: the AccessKey, the approved signature and the notification template. */
export interface AliyunSmsEndpoint {
  /** Default https://dysmsapi.aliyuncs.com. */
  baseUrl?: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** The approved SMS signature (签名名称), shown as 【…】 before the text. */
  signName: string;
  /** The approved notification template, with variables `${subject}` and `${text}`. */
  templateCode: string;
  /** Characters each template variable takes; 35 by default. */
  paramMaxChars?: number;
}

const DEFAULT_BASE_URL = 'https://dysmsapi.aliyuncs.com';
const DEFAULT_PARAM_MAX_CHARS = 35;
/** OutId is documented as shorter than 256 characters; a longer key is sent as its SHA-256. */
const OUT_ID_MAX_CHARS = 255;

/** Per-number flow control: the gateway's shortest window is a minute, so a minute's wait is the first that can pass. */
const FLOW_CONTROL = 'isv.BUSINESS_LIMIT_CONTROL';
const FLOW_CONTROL_WAIT_MS = 60_000;
/** Codes that say "later": API throttling (Throttling, Throttling.User…) and the gateway's own failures. */
const RETRY_CODES = new Set([FLOW_CONTROL, 'isp.SYSTEM_ERROR', 'ServiceUnavailable', 'InternalError']);

const answerSchema = z.object({
  Code: z.string().min(1),
  Message: z.string().optional(),
  BizId: z.string().optional(),
  RequestId: z.string().optional(),
});

/** RFC 3986 percent-encoding of UTF-8, as the signature requires: only A-Z a-z 0-9 - _ . ~ stay as they are. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The documented RPC signature: the parameters (all but Signature) sorted by name and joined as encoded `name=value`
 * pairs with `&`; the string to sign is `GET&%2F&` followed by that query, encoded once more; the signature is the
 * Base64 of its HMAC-SHA1 keyed with the AccessKey secret followed by `&`.
 */
export function signatureOf(params: Record<string, string>, accessKeySecret: string): string {
  const canonical = Object.keys(params)
    .sort()
    .map((name) => `${percentEncode(name)}=${percentEncode(params[name] ?? '')}`)
    .join('&');
  const stringToSign = `GET&${percentEncode('/')}&${percentEncode(canonical)}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

/** The template's variables: the notice on one line each, cut to the variable limit. */
export function templateParamOf(notice: Notice, maxChars: number = DEFAULT_PARAM_MAX_CHARS): { subject: string; text: string } {
  return { subject: shortenToChars(oneLine(notice.subject), maxChars), text: shortenToChars(oneLine(notice.text), maxChars) };
}

/** Our key as OutId, so a delivery receipt can be matched to the escalation that sent it. */
function outIdOf(key: string): string {
  return key.length <= OUT_ID_MAX_CHARS ? key : createHash('sha256').update(key).digest('hex');
}

/** ISO 8601 in UTC to the second, the only form the gateway takes (`2017-07-12T02:42:19Z`). */
function timestampOf(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Reads the gateway's answer: OK delivered with BizId, flow control and throttling retried, other codes refused. */
function readAnswer(response: HttpResponse): PartnerAnswer {
  const { status, text } = response;
  const excerpt = excerptOf(text);
  const body = jsonOf(text);
  const parsed = answerSchema.safeParse(body);
  const later = status === 429 || status >= 500;
  if (!parsed.success) {
    if (later) return { outcome: 'retry', status, excerpt, reason: `HTTP ${status}` };
    return { outcome: 'refused', status, excerpt, reason: `unexpected answer from Aliyun SMS (HTTP ${status}, no Code)` };
  }
  const { Code: code, Message: message, BizId: bizId } = parsed.data;
  if (code === 'OK' && status >= 200 && status < 300) {
    return { outcome: 'delivered', status, excerpt, ...(bizId ? { reference: bizId } : {}) };
  }
  const reason = `${message || 'no message'} (${code})`;
  if (code === FLOW_CONTROL) return { outcome: 'retry', status, excerpt, reason, retryAfterMs: FLOW_CONTROL_WAIT_MS };
  if (later || RETRY_CODES.has(code) || code.startsWith('Throttling')) {
    const wait = retryAfterMs(response.headers.get('retry-after'));
    return { outcome: 'retry', status, excerpt, reason, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
  }
  return { outcome: 'refused', status, excerpt, reason };
}

/** Builds the SMS channel for one Aliyun account; `.to(phone)` gives the notifier for one mobile number. */
export function createAliyunSmsNotifier(endpoint: AliyunSmsEndpoint, options: NotifierOptions): PersonalChannel {
  const base = (endpoint.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  return {
    to(phone) {
      return {
        async send(notice, key) {
          const params: Record<string, string> = {
            AccessKeyId: endpoint.accessKeyId,
            Action: 'SendSms',
            Format: 'JSON',
            OutId: outIdOf(key),
            PhoneNumbers: phone,
            SignName: endpoint.signName,
            SignatureMethod: 'HMAC-SHA1',
            // A fresh nonce per attempt: the gateway refuses a nonce it has seen, even on a retry.
            SignatureNonce: randomUUID(),
            SignatureVersion: '1.0',
            TemplateCode: endpoint.templateCode,
            TemplateParam: JSON.stringify(templateParamOf(notice, endpoint.paramMaxChars)),
            Timestamp: timestampOf(new Date()),
            Version: '2017-05-25',
          };
          const signed = { Signature: signatureOf(params, endpoint.accessKeySecret), ...params };
          const query = Object.entries(signed)
            .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
            .join('&');
          // The query carries the phone number and the text: nothing here logs the URL.
          const response = await callPartner({ url: `${base}/?${query}`, method: 'GET', timeoutMs: options.timeoutMs });
          return 'outcome' in response ? response : readAnswer(response);
        },
      };
    },
  };
}
