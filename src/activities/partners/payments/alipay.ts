/**
 * Alipay refunds for own-site orders, over the open API gateway: `alipay.trade.refund` pays back and
 * `alipay.trade.fastpay.refund.query` watches it settle. Each call is a form POST signed RSA2 (SHA256withRSA) with the
 * app's private key; each answer is checked against Alipay's public key when one is configured. Idempotency is
 * Alipay's own: it refunds one out_request_no once, and answers a repeat with success and fund_change N.
 */
import { createHash, createPrivateKey, createPublicKey, createSign, createVerify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { PaymentEndpoint } from '../../../config/partners';
import { formatMinorUnits } from '../../../domain/money';
import { callPartner, classify, excerptOf, type HttpResponse, jsonOf } from '../http';
import type { PartnerAnswer, RefundAdapter, RefundRequest } from '../types';

/** The 'alipay' variant of a payment endpoint. */
type AlipayEndpoint = Extract<PaymentEndpoint, { adapter: 'alipay' }>;

const REFUND = 'alipay.trade.refund';
const REFUND_QUERY = 'alipay.trade.fastpay.refund.query';
const SUCCESS = '10000';
/** The gateway's "service unavailable": nothing was decided, the same call may be made again. */
const SERVICE_UNAVAILABLE = '20000';
/** Sub-codes the docs answer with "call again with the same parameters" (AQC. is how one doc spells it). */
const RETRY_SUB_CODES = new Set(['ACQ.SYSTEM_ERROR', 'AQC.SYSTEM_ERROR', 'isp.unknow-error']);
/** Refund reasons longer than this are refused by the gateway. */
const REASON_CHARS = 256;

const envelopeSchema = z.looseObject({
  code: z.string(),
  msg: z.string().optional(),
  sub_code: z.string().optional(),
  sub_msg: z.string().optional(),
  trade_no: z.string().optional(),
  out_request_no: z.string().optional(),
  fund_change: z.string().optional(),
  refund_status: z.string().optional(),
});

/** One answer's business part, or what to tell the delivery activity instead. */
type Read =
  { data: z.infer<typeof envelopeSchema>; response: HttpResponse } | { answer: Extract<PartnerAnswer, { outcome: 'retry' | 'refused' }> };

/**
 * Our key as Alipay's out_request_no: as is when it is short and plain, else a digest of it. Alipay caps the field at
 * 64 characters and its allowed characters are not spelled out, so `payment:refund:…` keys are sent as their digest;
 * either way the same key always gives the same number, which is what makes a retry pay once.
 */
export function outRequestNoOf(key: string): string {
  return /^[A-Za-z0-9_]{1,64}$/.test(key) ? key : `RF${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

/** Integer fen as the yuan string Alipay takes ("12.30"), computed in integers. */
function yuanOf(amountMinor: number): string {
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0)
    throw new Error(`a refund is a positive whole number of fen, got ${amountMinor}`);
  return formatMinorUnits(amountMinor);
}

/** Now as `yyyy-MM-dd HH:mm:ss` in Beijing time, the gateway's clock. */
function beijingTimestamp(now: number = Date.now()): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** A key from PEM, or from the bare base64 Alipay's console and key tool hand out (PKCS#8 private, SPKI public). */
function keyFrom(text: string, kind: 'private' | 'public'): KeyObject {
  const trimmed = text.trim();
  const label = kind === 'private' ? 'PRIVATE KEY' : 'PUBLIC KEY';
  const pem = trimmed.startsWith('-----BEGIN')
    ? trimmed
    : `-----BEGIN ${label}-----\n${trimmed.replace(/\s+/g, '')}\n-----END ${label}-----`;
  return kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
}

/** The documented string to sign: every non-empty parameter but `sign`, sorted by name, as `k=v` joined by `&`. */
function contentToSign(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((name) => name !== 'sign' && params[name] !== '')
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join('&');
}

/**
 * The raw text of one member object in the answer, e.g. `alipay_trade_refund_response`, exactly as sent: Alipay
 * signs those bytes, so re-serialising parsed JSON would not verify.
 */
function memberText(text: string, member: string): string | undefined {
  const match = new RegExp(`"${member}"\\s*:\\s*\\{`).exec(text);
  if (!match) return undefined;
  const start = match.index + match[0].length - 1;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

/** The `sign` member beside the response object. */
function signOf(text: string): string | undefined {
  try {
    const sign = (JSON.parse(text) as { sign?: unknown }).sign;
    return typeof sign === 'string' && sign ? sign : undefined;
  } catch {
    return undefined;
  }
}

/** Builds the Alipay refund adapter; a malformed key stops start-up here, not on the first refund. */
export function createAlipayAdapter(endpoint: AlipayEndpoint, options: { timeoutMs: number }): RefundAdapter {
  const privateKey = keyFrom(endpoint.privateKeyPem, 'private');
  const alipayKey = endpoint.alipayPublicKeyPem ? keyFrom(endpoint.alipayPublicKeyPem, 'public') : undefined;

  async function call(method: string, bizContent: object): Promise<HttpResponse | Extract<PartnerAnswer, { outcome: 'retry' }>> {
    const params: Record<string, string> = {
      app_id: endpoint.appId,
      method,
      format: 'JSON',
      charset: 'utf-8',
      sign_type: 'RSA2',
      timestamp: beijingTimestamp(),
      version: '1.0',
      biz_content: JSON.stringify(bizContent),
    };
    params.sign = createSign('RSA-SHA256').update(contentToSign(params), 'utf8').sign(privateKey, 'base64');
    return callPartner({
      url: endpoint.gatewayUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: new URLSearchParams(params).toString(),
      timeoutMs: options.timeoutMs,
    });
  }

  /** Reads the answer to `method`: signature first, then Alipay's code / sub_code. */
  function read(response: HttpResponse, method: string): Read {
    const { status, text } = response;
    const excerpt = excerptOf(text);
    const refused = (reason: string): Read => ({ answer: { outcome: 'refused', status, excerpt, reason } });
    if (status < 200 || status >= 300) return { answer: classify(response) as Extract<PartnerAnswer, { outcome: 'retry' | 'refused' }> };
    // Gateway-level failures (bad app id, bad signature) come back as error_response instead of the method's member.
    const raw = memberText(text, `${method.replace(/\./g, '_')}_response`) ?? memberText(text, 'error_response');
    if (!raw) return refused('unexpected answer from Alipay (no response object)');
    const parsed = envelopeSchema.safeParse(jsonOf(raw));
    if (!parsed.success) return refused('unexpected answer from Alipay (no code)');
    const data = parsed.data;
    if (alipayKey) {
      const sign = signOf(text);
      // Error answers may come unsigned; a success must be signed, or anyone on the path could have written it.
      if (sign && !createVerify('RSA-SHA256').update(raw, 'utf8').verify(alipayKey, sign, 'base64'))
        return refused("Alipay's answer does not verify with the configured Alipay public key");
      if (!sign && data.code === SUCCESS) return refused("Alipay's success answer carries no signature");
    }
    if (data.code === SUCCESS) return { data, response };
    const reason = `${data.sub_msg || data.msg || 'no message'} (${data.code}${data.sub_code ? ` ${data.sub_code}` : ''})`;
    if (data.code === SERVICE_UNAVAILABLE || (data.sub_code && RETRY_SUB_CODES.has(data.sub_code)))
      return { answer: { outcome: 'retry', status, excerpt, reason } };
    return refused(reason);
  }

  /** The trade and refund numbers both calls name. */
  const idsOf = (refund: RefundRequest, key: string) => ({
    out_trade_no: refund.paymentReference ?? refund.channelOrderId,
    out_request_no: outRequestNoOf(key),
  });

  return {
    async requestRefund(refund, key) {
      const ids = idsOf(refund, key);
      const response = await call(REFUND, {
        ...ids,
        refund_amount: yuanOf(refund.amountMinor),
        refund_reason: refund.reason.slice(0, REASON_CHARS),
      });
      if ('outcome' in response) return response;
      const reading = read(response, REFUND);
      if ('answer' in reading) return reading.answer;
      // fund_change N on a repeat is still success: the first call with this out_request_no already paid.
      return { outcome: 'delivered', status: response.status, excerpt: excerptOf(response.text), reference: ids.out_request_no };
    },
    async refundStatus(refund, key) {
      const ids = idsOf(refund, key);
      const response = await call(REFUND_QUERY, ids);
      if ('outcome' in response) return response;
      const reading = read(response, REFUND_QUERY);
      if ('answer' in reading) return reading.answer;
      // No refund_status means not (yet) refunded: the docs advise asking again, not giving up.
      const state = reading.data.refund_status === 'REFUND_SUCCESS' ? 'settled' : 'pending';
      return { outcome: 'answered', state, status: response.status, excerpt: excerptOf(response.text), reference: ids.out_request_no };
    },
  };
}
