/**
 * An Alipay open API gateway on loopback, for `alipay.trade.refund` and `alipay.trade.fastpay.refund.query`. It checks
 * the common parameters and the RSA2 signature with the app's public key the way the docs describe, refunds each
 * out_request_no once (a repeat answers success with fund_change N), and signs its answers with its own key, whose
 * public half the hub is configured with. The signature code is written here on its own, not borrowed from the
 * adapter, so the two check each other. Refunds settle after `settleAfterMs`, or when a test calls `settle`.
 */
import { createPublicKey, createSign, createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { PartnerServer, type Received, type Reply } from './server';

/** The gateway's path, as in https://openapi.alipay.com/gateway.do. */
export const ALIPAY_GATEWAY_PATH = '/gateway.do';

/** One refund the gateway made. */
export interface AlipayRefund {
  outTradeNo: string;
  outRequestNo: string;
  amountMinor: number;
  reason: string;
  settled: boolean;
}

/** A running simulated gateway. */
export interface AlipaySimulator {
  server: PartnerServer;
  /** The gateway's URL, for the hub's `gatewayUrl`. */
  gatewayUrl: string;
  /** Alipay's public key (PEM), for the hub's `alipayPublicKeyPem`. */
  alipayPublicKeyPem: string;
  /** Seeds a paid trade. */
  addTrade(trade: { outTradeNo: string; totalMinor: number; tradeNo?: string }): void;
  /** Closes a trade: refunds of it are then refused with ACQ.TRADE_HAS_CLOSE. */
  closeTrade(outTradeNo: string): void;
  /** Refunds made, oldest first; each out_request_no appears at most once. */
  refunds(outTradeNo?: string): AlipayRefund[];
  /** Refunds actually made for an out_request_no (the effect): 0 or 1 however often it was asked. */
  effects(outRequestNo: string): number;
  /** alipay.trade.refund calls that reached the business logic for an out_request_no, repeats included. */
  calls(outRequestNo: string): number;
  /** Settles a pending refund now (the money reaches the buyer). */
  settle(outRequestNo: string): void;
  /** The next `n` calls that pass the gateway's checks answer ACQ.SYSTEM_ERROR, signed, without acting. */
  systemErrorNext(n: number): void;
}

/** How to start the gateway. */
export interface AlipaySimulatorOptions {
  appId: string;
  /** The app's public key (PEM), which verifies the hub's requests. */
  appPublicKeyPem: string;
  /** How long a refund stays pending before it settles by itself; default never (tests call `settle`). */
  settleAfterMs?: number;
}

interface Trade {
  tradeNo: string;
  totalMinor: number;
  closed: boolean;
}

const RESPONSE_MEMBERS: Record<string, string> = {
  'alipay.trade.refund': 'alipay_trade_refund_response',
  'alipay.trade.fastpay.refund.query': 'alipay_trade_fastpay_refund_query_response',
};
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const refundBizSchema = z.object({
  out_trade_no: z.string().min(1).max(64).optional(),
  trade_no: z.string().min(1).max(64).optional(),
  refund_amount: z.string().regex(/^\d{1,9}(\.\d{1,2})?$/, 'refund_amount: yuan with at most two decimals'),
  refund_reason: z.string().max(256).optional(),
  out_request_no: z.string().min(1).max(64).optional(),
});
const queryBizSchema = z.object({
  out_trade_no: z.string().min(1).max(64).optional(),
  trade_no: z.string().min(1).max(64).optional(),
  out_request_no: z.string().min(1).max(64),
});

/** "12.30" → 1230, in integers. */
function fenOf(yuan: string): number {
  const [whole = '0', fraction = ''] = yuan.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** 1230 → "12.30". */
function yuanOf(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

/** `yyyy-MM-dd HH:mm:ss` read as Beijing time, in epoch ms (NaN when malformed). */
function beijingMs(text: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(text);
  return match ? Date.parse(`${match[1]}T${match[2]}+08:00`) : NaN;
}

/** Starts a simulated gateway that knows one app. */
export async function startAlipay(options: AlipaySimulatorOptions): Promise<AlipaySimulator> {
  const appKey = createPublicKey(options.appPublicKeyPem);
  // The gateway's own key pair: it signs answers with the private half; the hub verifies with the public half.
  const { privateKey: alipayPrivate, publicKey: alipayPublic } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const trades = new Map<string, Trade>();
  const made = new Map<string, AlipayRefund>();
  const callCounts = new Map<string, number>();
  let systemErrors = 0;
  let tradeSeq = 1;

  /** The documented signed string: all non-empty parameters but sign, sorted by name, `k=v` joined by `&`. */
  function signedText(params: Map<string, string>): string {
    return [...params.entries()]
      .filter(([name, value]) => name !== 'sign' && value !== '')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => `${name}=${value}`)
      .join('&');
  }

  function verified(params: Map<string, string>, key: KeyObject): boolean {
    const sign = params.get('sign') ?? '';
    return createVerify('sha256WithRSAEncryption').update(signedText(params), 'utf8').verify(key, sign, 'base64');
  }

  /** An answer as Alipay writes it: the member object's exact text, and beside it the signature of that text. */
  function answer(member: string, content: Record<string, unknown>): Reply {
    const text = JSON.stringify(content);
    const sign = createSign('sha256WithRSAEncryption').update(text, 'utf8').sign(alipayPrivate, 'base64');
    return { status: 200, headers: { 'content-type': 'text/html;charset=utf-8' }, body: `{"${member}":${text},"sign":"${sign}"}` };
  }
  const gatewayError = (code: string, msg: string, subCode: string, subMsg: string) =>
    answer('error_response', { code, msg, sub_code: subCode, sub_msg: subMsg });
  const businessFailed = (member: string, subCode: string, subMsg: string, extra: Record<string, unknown> = {}) =>
    answer(member, { code: '40004', msg: 'Business Failed', sub_code: subCode, sub_msg: subMsg, ...extra });

  /** The gateway's checks, in the order it reports them; undefined when the call may reach the method. */
  function gateway(params: Map<string, string>): Reply | undefined {
    const missing = ['app_id', 'method', 'charset', 'sign_type', 'sign', 'timestamp', 'version', 'biz_content'].find((p) => !params.get(p));
    if (missing)
      return gatewayError('40001', 'Missing Required Arguments', `isv.missing-${missing.replace(/_/g, '-')}`, `缺少${missing}参数`);
    if (params.get('app_id') !== options.appId) return gatewayError('40002', 'Invalid Arguments', 'isv.invalid-app-id', '无效的AppID参数');
    if (!RESPONSE_MEMBERS[params.get('method') ?? ''])
      return gatewayError('40002', 'Invalid Arguments', 'isv.invalid-method', '不存在的方法名');
    if (params.get('sign_type') !== 'RSA2')
      return gatewayError('40002', 'Invalid Arguments', 'isv.invalid-signature-type', '无效的签名类型');
    if ((params.get('charset') ?? '').toLowerCase() !== 'utf-8')
      return gatewayError('40002', 'Invalid Arguments', 'isv.invalid-charset', '字符集错误');
    if (params.get('version') !== '1.0') return gatewayError('40002', 'Invalid Arguments', 'isv.invalid-version', '版本号错误');
    if (params.has('format') && params.get('format')?.toUpperCase() !== 'JSON')
      return gatewayError('40002', 'Invalid Arguments', 'isv.invalid-format', '无效的数据格式');
    const at = beijingMs(params.get('timestamp') ?? '');
    if (Number.isNaN(at) || Math.abs(Date.now() - at) > MAX_CLOCK_SKEW_MS)
      return gatewayError('40002', 'Invalid Arguments', 'isv.invalid-timestamp', '非法的时间戳参数');
    if (!verified(params, appKey)) return gatewayError('40002', 'Invalid Arguments', 'isv.invalid-signature', '验签出错');
    return undefined;
  }

  function settleLater(refund: AlipayRefund): void {
    if (options.settleAfterMs === undefined) return;
    setTimeout(() => (refund.settled = true), options.settleAfterMs).unref();
  }

  function refund(member: string, biz: z.infer<typeof refundBizSchema>): Reply {
    const outTradeNo = biz.out_trade_no ?? [...trades].find(([, t]) => t.tradeNo === biz.trade_no)?.[0];
    const trade = outTradeNo === undefined ? undefined : trades.get(outTradeNo);
    if (!trade || outTradeNo === undefined) return businessFailed(member, 'ACQ.TRADE_NOT_EXIST', '交易不存在');
    if (trade.closed) return businessFailed(member, 'ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
    const amount = fenOf(biz.refund_amount);
    if (amount <= 0) return businessFailed(member, 'ACQ.INVALID_PARAMETER', '参数无效');
    const requestNo = biz.out_request_no ?? outTradeNo;
    callCounts.set(requestNo, (callCounts.get(requestNo) ?? 0) + 1);
    const refunded = [...made.values()].filter((r) => r.outTradeNo === outTradeNo).reduce((sum, r) => sum + r.amountMinor, 0);
    const ids = { trade_no: trade.tradeNo, out_trade_no: outTradeNo };
    const earlier = made.get(requestNo);
    if (earlier) {
      if (earlier.amountMinor !== amount || earlier.outTradeNo !== outTradeNo)
        return businessFailed(member, 'ACQ.DISCORDANT_REPEAT_REQUEST', '不一致的请求', ids);
      // The documented repeat: success, and fund_change N because no money moved this time.
      return answer(member, { code: '10000', msg: 'Success', ...ids, refund_fee: yuanOf(refunded), fund_change: 'N' });
    }
    if (!biz.out_request_no && amount !== trade.totalMinor)
      return businessFailed(member, 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '撤销或退款金额与订单金额不一致', ids);
    if (refunded + amount > trade.totalMinor) return businessFailed(member, 'ACQ.REASON_TRADE_REFUND_FEE_ERR', '退款金额无效', ids);
    const created: AlipayRefund = {
      outTradeNo,
      outRequestNo: requestNo,
      amountMinor: amount,
      reason: biz.refund_reason ?? '',
      settled: false,
    };
    made.set(requestNo, created);
    settleLater(created);
    return answer(member, { code: '10000', msg: 'Success', ...ids, refund_fee: yuanOf(refunded + amount), fund_change: 'Y' });
  }

  function query(member: string, biz: z.infer<typeof queryBizSchema>): Reply {
    const outTradeNo = biz.out_trade_no ?? [...trades].find(([, t]) => t.tradeNo === biz.trade_no)?.[0];
    const trade = outTradeNo === undefined ? undefined : trades.get(outTradeNo);
    if (!trade || outTradeNo === undefined) return businessFailed(member, 'ACQ.TRADE_NOT_EXIST', '交易不存在');
    const found = made.get(biz.out_request_no);
    const ids = { trade_no: trade.tradeNo, out_trade_no: outTradeNo, out_request_no: biz.out_request_no };
    // As documented: no refund_status while the refund is unknown or not yet through.
    if (!found || found.outTradeNo !== outTradeNo || !found.settled) return answer(member, { code: '10000', msg: 'Success', ...ids });
    const amounts = { total_amount: yuanOf(trade.totalMinor), refund_amount: yuanOf(found.amountMinor) };
    return answer(member, { code: '10000', msg: 'Success', ...ids, ...amounts, refund_status: 'REFUND_SUCCESS' });
  }

  function handle(request: Received): Reply {
    const url = new URL(request.path, 'http://alipay.invalid');
    if (request.method !== 'POST' || url.pathname !== ALIPAY_GATEWAY_PATH) return { status: 404, body: 'Not Found' };
    // SDKs put the common parameters in the query string and biz_content in the form body; either is read.
    const params = new Map([...url.searchParams, ...new URLSearchParams(request.rawBody)]);
    const refusal = gateway(params);
    if (refusal) return refusal;
    const method = params.get('method') ?? '';
    const member = RESPONSE_MEMBERS[method] ?? 'error_response';
    let biz: unknown;
    try {
      biz = JSON.parse(params.get('biz_content') ?? '');
    } catch {
      return businessFailed(member, 'ACQ.INVALID_PARAMETER', 'biz_content不是合法的JSON');
    }
    if (systemErrors > 0) {
      systemErrors -= 1;
      return businessFailed(member, 'ACQ.SYSTEM_ERROR', '系统错误');
    }
    const schema = method === 'alipay.trade.refund' ? refundBizSchema : queryBizSchema;
    const parsed = schema.safeParse(biz);
    if (!parsed.success || (!parsed.data.out_trade_no && !parsed.data.trade_no))
      return businessFailed(
        member,
        'ACQ.INVALID_PARAMETER',
        `参数无效: ${parsed.error?.issues[0]?.message ?? 'out_trade_no 与 trade_no 不能同时为空'}`,
      );
    return method === 'alipay.trade.refund'
      ? refund(member, parsed.data as z.infer<typeof refundBizSchema>)
      : query(member, parsed.data as z.infer<typeof queryBizSchema>);
  }

  const server = await PartnerServer.start(handle);
  return {
    server,
    gatewayUrl: `${server.url}${ALIPAY_GATEWAY_PATH}`,
    alipayPublicKeyPem: alipayPublic.export({ type: 'spki', format: 'pem' }).toString(),
    addTrade(trade) {
      trades.set(trade.outTradeNo, {
        tradeNo: trade.tradeNo ?? `2025${String(tradeSeq++).padStart(24, '0')}`,
        totalMinor: trade.totalMinor,
        closed: false,
      });
    },
    closeTrade(outTradeNo) {
      const trade = trades.get(outTradeNo);
      if (!trade) throw new Error(`no trade ${outTradeNo} at the simulated gateway`);
      trade.closed = true;
    },
    refunds: (outTradeNo) => structuredClone([...made.values()].filter((r) => outTradeNo === undefined || r.outTradeNo === outTradeNo)),
    effects: (outRequestNo) => (made.has(outRequestNo) ? 1 : 0),
    calls: (outRequestNo) => callCounts.get(outRequestNo) ?? 0,
    settle(outRequestNo) {
      const pending = made.get(outRequestNo);
      if (!pending) throw new Error(`no refund ${outRequestNo} at the simulated gateway`);
      pending.settled = true;
    },
    systemErrorNext(n) {
      systemErrors = n;
    },
  };
}
