/**
 * Aliyun's SMS gateway (dysmsapi `SendSms`, version 2017-05-25) on loopback. It checks the common parameters and the
 * RPC signature the way the docs describe them, then the message (signature name, template, variables, number), and
 * answers in the gateway's `{Code, Message, RequestId, BizId}` shape. Like the real gateway it keeps no idempotency:
 * a repeated OutId is sent again, and both sends are recorded. The signature check is written here on its own, over
 * the raw bytes, not borrowed from the adapter, so the two check each other.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { PartnerServer, type Received, type Reply } from './server';

/** One SMS the gateway accepted. */
export interface SentSms {
  phone: string;
  signName: string;
  templateCode: string;
  templateParam: Record<string, string>;
  outId?: string;
  bizId: string;
  at: number;
}

/** How to start the gateway. */
export interface AliyunSmsOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** Approved signature names; any is accepted when omitted. */
  signNames?: string[];
  /** Approved templates by code, with their variable names; any code and variables are accepted when omitted. */
  templates?: Record<string, string[]>;
  /** Characters a template variable may take (35 for notification templates). */
  paramMaxChars?: number;
  port?: number;
}

/** A running simulated gateway. */
export interface AliyunSmsSimulator {
  server: PartnerServer;
  /** Accepted messages, oldest first. */
  sent(): SentSms[];
  /** The next `n` sends hit the per-number flow control (isv.BUSINESS_LIMIT_CONTROL) and are not sent. */
  limitNext(n: number): void;
}

const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const COMMON = ['AccessKeyId', 'Action', 'SignatureMethod', 'SignatureNonce', 'SignatureVersion', 'Timestamp', 'Version'];

const reply = (status: number, code: string, message: string, extra: Record<string, string> = {}): Reply => ({
  status,
  body: { RequestId: randomUUID().toUpperCase(), Code: code, Message: message, ...extra },
});
const gatewayError = (status: number, code: string, message: string): Reply =>
  reply(status, code, message, { HostId: 'dysmsapi.aliyuncs.com', Recommend: `https://api.aliyun.com/troubleshoot?q=${code}` });

/** Percent-encoding byte by byte over UTF-8, keeping only the RFC 3986 unreserved characters. */
function encode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const unreserved =
      (byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      [0x2d, 0x2e, 0x5f, 0x7e].includes(byte);
    out += unreserved ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The query as a server decodes it: `+` is a space, each name and value percent-decoded. */
function decodeQuery(path: string): Map<string, string> {
  const query = path.includes('?') ? path.slice(path.indexOf('?') + 1) : '';
  const params = new Map<string, string>();
  for (const pair of query.split('&').filter(Boolean)) {
    const at = pair.indexOf('=');
    const [name, value] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
    params.set(decodeURIComponent(name.replace(/\+/g, ' ')), decodeURIComponent(value.replace(/\+/g, ' ')));
  }
  return params;
}

/** The string to sign the docs define, built from what arrived: sorted by name (byte order), encoded twice over. */
function stringToSign(params: Map<string, string>): string {
  const names = [...params.keys()].filter((name) => name !== 'Signature').sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const canonical = names.map((name) => `${encode(name)}=${encode(params.get(name) ?? '')}`).join('&');
  return `GET&${encode('/')}&${encode(canonical)}`;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Starts a gateway that knows one AccessKey. */
export async function startAliyunSms(options: AliyunSmsOptions): Promise<AliyunSmsSimulator> {
  const sent: SentSms[] = [];
  const nonces = new Set<string>();
  const paramMaxChars = options.paramMaxChars ?? 35;
  let limited = 0;
  let bizSeq = 1;

  /** The gateway's checks of the call itself; undefined when it may reach SendSms. */
  function gateway(request: Received, params: Map<string, string>): Reply | undefined {
    const missing = COMMON.find((name) => !params.get(name));
    if (missing || !params.get('Signature'))
      return gatewayError(400, 'MissingParameter', `${missing ?? 'Signature'} is mandatory for this action.`);
    // The gateway also takes a signed form POST; the simulator speaks the GET form the hub uses.
    if (request.method !== 'GET') return gatewayError(400, 'UnsupportedHTTPMethod', 'This http method is not supported.');
    if (params.get('Action') !== 'SendSms') return gatewayError(400, 'InvalidAction.NotFound', 'Specified api is not found.');
    if (params.get('Version') !== '2017-05-25') return gatewayError(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
    if (params.get('AccessKeyId') !== options.accessKeyId)
      return gatewayError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (params.get('SignatureMethod') !== 'HMAC-SHA1' || params.get('SignatureVersion') !== '1.0')
      return gatewayError(400, 'InvalidParameter', 'Specified signature method or version is not supported.');
    const timestamp = params.get('Timestamp') ?? '';
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(timestamp))
      return gatewayError(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
    if (Math.abs(Date.now() - Date.parse(timestamp)) > MAX_CLOCK_SKEW_MS)
      return gatewayError(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    const expected = createHmac('sha1', `${options.accessKeySecret}&`).update(stringToSign(params), 'utf8').digest('base64');
    if (!sameText(expected, params.get('Signature') ?? ''))
      return gatewayError(
        400,
        'SignatureDoesNotMatch',
        `Specified signature is not matched with our calculation. server string to sign is:${stringToSign(params)}`,
      );
    const nonce = params.get('SignatureNonce') ?? '';
    if (nonces.has(nonce)) return gatewayError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    nonces.add(nonce);
    return undefined;
  }

  /** SendSms itself: the message's checks in the order the gateway reports them, then the send. */
  function sendSms(params: Map<string, string>, at: number): Reply {
    const phone = params.get('PhoneNumbers') ?? '';
    const signName = params.get('SignName') ?? '';
    const templateCode = params.get('TemplateCode') ?? '';
    if (!phone || !signName || !templateCode) return reply(200, 'isv.INVALID_PARAMETERS', '参数异常');
    if (!/^(\+|00)?(86)?1\d{10}$/.test(phone)) return reply(200, 'isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    if (options.signNames && !options.signNames.includes(signName))
      return reply(200, 'isv.SMS_SIGNATURE_ILLEGAL', '该账号下找不到对应签名');
    const variables = options.templates ? options.templates[templateCode] : [];
    if (!variables) return reply(200, 'isv.SMS_TEMPLATE_ILLEGAL', '该账号下找不到对应模板');
    let templateParam: unknown = {};
    try {
      templateParam = JSON.parse(params.get('TemplateParam') ?? '{}');
    } catch {
      return reply(200, 'isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
    }
    const values = templateParam && typeof templateParam === 'object' ? Object.values(templateParam) : [null];
    if (Array.isArray(templateParam) || values.some((v) => typeof v !== 'string'))
      return reply(200, 'isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
    const record = templateParam as Record<string, string>;
    if (variables.some((name) => !record[name])) return reply(200, 'isv.TEMPLATE_MISSING_PARAMETERS', '模板变量缺少对应参数值');
    if (Object.values(record).some((v) => Array.from(v).length > paramMaxChars))
      return reply(200, 'isv.PARAM_LENGTH_LIMIT', '参数超出长度限制');
    const outId = params.get('OutId');
    if (outId !== undefined && outId.length >= 256) return reply(200, 'isv.INVALID_PARAMETERS', 'OutId 长度超出限制');
    if (limited > 0) {
      limited -= 1;
      return reply(200, 'isv.BUSINESS_LIMIT_CONTROL', '触发分钟级流控Permits:1');
    }
    const bizId = `${String(at).slice(-9)}${String(bizSeq++).padStart(7, '0')}^0`;
    sent.push({ phone, signName, templateCode, templateParam: record, ...(outId !== undefined ? { outId } : {}), bizId, at });
    return reply(200, 'OK', 'OK', { BizId: bizId });
  }

  function handle(request: Received): Reply {
    if (new URL(request.path, 'http://dysmsapi.invalid').pathname !== '/')
      return gatewayError(404, 'InvalidAction.NotFound', 'Specified api is not found.');
    let params: Map<string, string>;
    try {
      params = decodeQuery(request.path);
    } catch {
      return gatewayError(400, 'InvalidParameter', 'The query is not well encoded.');
    }
    return gateway(request, params) ?? sendSms(params, request.at);
  }

  const server = await PartnerServer.start(handle, options.port);
  return {
    server,
    sent: () => structuredClone(sent),
    limitNext(n) {
      limited = n;
    },
  };
}
