/**
 * A Douyin shop (抖店) open platform on loopback, for `order.logisticsAddSinglePack` and the after-sales calls a refund
 * needs (`afterSale.Detail`, `afterSale.operate`). It checks the common parameters and the signature the way the
 * platform documents them and answers in the platform's code/sub_code envelope. Shipping honours `request_id`: a
 * repeated request_id after a success gets the first answer again and ships nothing. An after-sale is approved at most
 * once: approving it again is refused as the platform refuses it ("售后状态错误"), and the refund is paid once.
 * The signature check is written here on its own, not borrowed from the adapter, so the two check each other.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { PartnerServer, type Received, type Reply } from './server';

/** One parcel the platform recorded. */
export interface DouyinWriteBack {
  packId: string;
  requestId: string;
  logisticsCode: string;
  companyCode: string;
  subOrders: { id: string; quantity: number }[];
}

/** A buyer's after-sale request as the platform holds it; statuses use the platform's codes. */
export interface DouyinAfterSale {
  afterSaleId: string;
  orderId: string;
  skuOrderId: string;
  /** 0 return and refund, 1 refund only after shipment, 2 refund before shipment. */
  type: number;
  amountMinor: number;
  /** 6 waiting for the shop, 12 approved, 27 refused, 28 failed. */
  status: number;
  /** 1 to refund, 2 refunding, 3 refunded, 4 refund failed. */
  refundStatus: number;
  updateTime: number;
  /** Times the shop's approval paid the buyer back (the effect): 0 or 1. */
  refundsPaid: number;
}

/** A running simulated platform. */
export interface DouyinSimulator {
  server: PartnerServer;
  /** Seeds a parent order with its sub-orders (one per SKU line) waiting to ship. */
  addOrder(order: { orderId: string; subOrders: { id: string; quantity: number }[] }): void;
  /** Cancels an order: shipping it is then refused as the platform does. */
  cancelOrder(orderId: string): void;
  /** The parcels recorded for a parent order, oldest first. */
  writeBacks(orderId: string): DouyinWriteBack[];
  /** Seeds a buyer's after-sale request, waiting for the shop (status 6), refund only after shipment by default. */
  addAfterSale(afterSale: { afterSaleId: string; orderId: string; skuOrderId: string; amountMinor: number; type?: number }): void;
  /** An after-sale as it stands now. */
  afterSale(afterSaleId: string): DouyinAfterSale | undefined;
  /** The platform pays an approved refund out (or fails to): refund_status 3 (or 4). */
  settleRefund(afterSaleId: string, outcome?: 'refunded' | 'failed'): void;
}

interface Order {
  cancelled: boolean;
  remaining: Map<string, number>;
  writeBacks: DouyinWriteBack[];
}

/** The methods this platform serves, by path. */
const METHODS: Record<string, string> = {
  '/order/logisticsAddSinglePack': 'order.logisticsAddSinglePack',
  '/afterSale/Detail': 'afterSale.Detail',
  '/afterSale/operate': 'afterSale.operate',
};
/** afterSale.operate's 同意仅退款. */
const AGREE_REFUND = 201;
const MAX_CLOCK_SKEW_MS = 10 * 60 * 1000;

const paramSchema = z.object({
  order_id_list: z.array(z.string().min(1)).min(1),
  shipped_order_info: z.array(z.object({ shipped_order_id: z.string().min(1), shipped_num: z.number().int().positive() })).min(1),
  logistics_code: z.string().min(1),
  company_code: z.string().min(1),
  request_id: z.string().min(1),
});

const detailParamSchema = z.object({ after_sale_id: z.string().min(1) });
const operateParamSchema = z.object({
  type: z.number().int(),
  items: z
    .array(z.object({ aftersale_id: z.string().min(1), update_time: z.number().int().optional(), reason: z.string().optional() }))
    .min(1)
    .max(20),
});

let logSeq = 0;
const envelope = (code: number, msg: string, subCode = '', subMsg = '', data: unknown = null): Reply => ({
  status: 200,
  body: { code, msg, sub_code: subCode, sub_msg: subMsg, log_id: `sim${Date.now()}${logSeq++}`, data },
});
const invalid = (subCode: string, subMsg: string) => envelope(40003, '非法的参数', subCode, subMsg);
const businessFailed = (n: number, subMsg: string) => envelope(50002, '业务处理失败', `isv.business-failed:${n}`, subMsg);

/** Object keys sorted at every depth, no whitespace: how the platform reads param_json for the signature. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (!value || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, canonical(record[key])]),
  );
}

/** Unix seconds or `yyyy-MM-dd HH:mm:ss` in GMT+8, the two forms the platform takes, as epoch ms. */
function timestampMs(value: string): number {
  if (/^\d{9,11}$/.test(value)) return Number(value) * 1000;
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
  return match ? Date.parse(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}+08:00`) : NaN;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Starts a simulated platform knowing one app and one shop's access token. */
export async function startDouyin(options: { appKey: string; appSecret: string; accessToken: string }): Promise<DouyinSimulator> {
  const orders = new Map<string, Order>();
  const answered = new Map<string, Reply>();
  const afterSales = new Map<string, DouyinAfterSale>();
  let packSeq = 1;

  /** The documented signature: secret + sorted name/value pairs + secret, by md5 or HMAC-SHA256 keyed with the secret. */
  function expectedSign(params: URLSearchParams, paramJson: string, signMethod: string): string {
    const signed: Record<string, string> = {
      app_key: params.get('app_key') ?? '',
      method: params.get('method') ?? '',
      param_json: paramJson,
      timestamp: params.get('timestamp') ?? '',
      v: params.get('v') ?? '',
    };
    const pattern = Object.keys(signed)
      .sort()
      .map((name) => `${name}${signed[name]}`)
      .join('');
    const text = `${options.appSecret}${pattern}${options.appSecret}`;
    return signMethod === 'hmac-sha256'
      ? createHmac('sha256', options.appSecret).update(text).digest('hex')
      : createHash('md5').update(text).digest('hex');
  }

  /** The gateway's checks, in the order it reports them; undefined when the call may reach the API. */
  function gateway(request: Received, params: URLSearchParams): Reply | undefined {
    if (!params.get('sign')) return envelope(40001, '缺少必选参数', 'isv.signature-missing', '获取签名失败，请根据文档确保参数拼装正确');
    if (params.get('app_key') !== options.appKey) return envelope(40001, '缺少必选参数', 'isv.app-id-missing', '认证失败，app_key不存在');
    if (!params.get('access_token')) return envelope(40001, '缺少必选参数', 'isv.access-token-missing', '认证失败，access_token不能为空');
    if (params.get('method') !== METHODS[new URL(request.path, 'http://douyin.invalid').pathname])
      return envelope(70000, '接口服务已下线', 'isp.api-service-off', 'API不存在或API已下线');
    if (params.get('v') !== '2') return invalid('isv.parameter-invalid', 'v 只支持 2');
    const signMethod = params.get('sign_method') ?? 'md5';
    if (signMethod !== 'md5' && signMethod !== 'hmac-sha256')
      return invalid('isv.parameter-invalid', 'sign_method 只支持 md5 和 hmac-sha256');
    const at = timestampMs(params.get('timestamp') ?? '');
    if (Number.isNaN(at)) return invalid('isv.timestamp-format-error', '时间戳格式错误');
    if (Math.abs(Date.now() - at) > MAX_CLOCK_SKEW_MS) return invalid('isv.timestamp-invalid', '时间戳不合法');
    if (request.body === undefined) return invalid('isv.parameter-format-invalid', '业务参数json解析失败');
    const paramJson = JSON.stringify(canonical(request.body));
    if (!sameText(expectedSign(params, paramJson, signMethod), params.get('sign') ?? ''))
      return invalid('isv.signature-invalid', '签名校验失败');
    if (params.get('access_token') !== options.accessToken)
      return invalid('isv.access-token-no-existed', 'access_token不存在，请使用最新的access_token访问');
    return undefined;
  }

  /** Ships one parcel, or answers why not as the platform documents for logisticsAddSinglePack. */
  function ship(param: z.infer<typeof paramSchema>): Reply {
    const parents = param.order_id_list.map((id) => orders.get(id));
    if (parents.some((o) => !o)) return envelope(40004, '非法的参数', 'isv.parameter-invalid:60033', '未查询到此订单');
    const known = parents as Order[];
    if (known.some((o) => o.cancelled)) return businessFailed(60021, '订单已取消，不支持发货');
    const draws: { order: Order; id: string; quantity: number }[] = [];
    for (const info of param.shipped_order_info) {
      const order = known.find((o) => o.remaining.has(info.shipped_order_id));
      if (!order) return businessFailed(60016, '商品单单号为空或者格式错误');
      if ((order.remaining.get(info.shipped_order_id) ?? 0) < info.shipped_num)
        return businessFailed(60110, '订单已发货，不允许再次执行发货');
      draws.push({ order, id: info.shipped_order_id, quantity: info.shipped_num });
    }
    const packId = String(packSeq++);
    for (const draw of draws) draw.order.remaining.set(draw.id, (draw.order.remaining.get(draw.id) ?? 0) - draw.quantity);
    for (const order of new Set(draws.map((d) => d.order))) {
      order.writeBacks.push({
        packId,
        requestId: param.request_id,
        logisticsCode: param.logistics_code,
        companyCode: param.company_code,
        subOrders: draws.filter((d) => d.order === order).map((d) => ({ id: d.id, quantity: d.quantity })),
      });
    }
    return envelope(10000, 'success', '', '', { pack_id: packId });
  }

  /** The after-sale as afterSale.Detail shows it (a small part of the documented answer). */
  function detail(param: z.infer<typeof detailParamSchema>): Reply {
    const found = afterSales.get(param.after_sale_id);
    if (!found) return envelope(40004, '非法的参数', 'isv.parameter-invalid', '售后单不存在');
    const descs: Record<number, string> = { 6: '售后申请', 12: '售后成功', 27: '拒绝售后申请', 28: '售后失败' };
    // Ids go out as JSON numbers, as the platform sends them (digits only, so no rounding happens in the text).
    const info =
      `{"after_sale_id":${found.afterSaleId},"after_sale_status":${found.status},"after_sale_status_desc":"${descs[found.status] ?? ''}",` +
      `"after_sale_type":${found.type},"refund_status":${found.refundStatus},"refund_total_amount":${found.amountMinor},` +
      `"update_time":${found.updateTime}}`;
    const order = `{"shop_order_id":${found.orderId},"sku_order_infos":[{"sku_order_id":${found.skuOrderId}}]}`;
    const text = `{"code":10000,"msg":"success","sub_code":"","sub_msg":"","log_id":"sim${Date.now()}${logSeq++}","data":{"process_info":{"after_sale_info":${info}},"order_info":${order}}}`;
    return { status: 200, body: text };
  }

  /** The shop's answer to after-sales; only 同意仅退款 of a refund waiting for the shop is simulated. */
  function operate(param: z.infer<typeof operateParamSchema>): Reply {
    const targets = param.items.map((item) => ({ item, found: afterSales.get(item.aftersale_id) }));
    if (targets.some((t) => !t.found)) return envelope(20000, '系统错误', 'isp.service-error:10000', '存在无效的售后单');
    if (param.type !== AGREE_REFUND) return businessFailed(11005, '操作失败');
    for (const { item, found } of targets) {
      if (found!.status !== 6 || ![1, 2].includes(found!.type)) return businessFailed(20309541, '售后状态错误');
      if (item.update_time !== undefined && item.update_time !== found!.updateTime) return businessFailed(20309541, '售后状态错误');
    }
    for (const { found } of targets) {
      found!.status = 12;
      found!.refundStatus = 2;
      found!.refundsPaid += 1;
      found!.updateTime += 1;
    }
    const items = targets.map(({ item }) => ({ aftersale_id: item.aftersale_id, status_code: 0, status_msg: '' }));
    return envelope(10000, 'success', '', '', { items });
  }

  function handle(request: Received): Reply {
    const url = new URL(request.path, 'http://douyin.invalid');
    if (request.method !== 'POST' || !METHODS[url.pathname])
      return envelope(70000, '接口服务已下线', 'isp.api-service-off', 'API不存在或API已下线');
    const refusal = gateway(request, url.searchParams);
    if (refusal) return refusal;
    const missing = (error: z.ZodError) =>
      envelope(40002, '缺少必选参数', 'isv.missing-parameter', `${error.issues[0]?.path.join('.')} 参数缺失或格式错误`);
    if (url.pathname === '/afterSale/Detail') {
      const param = detailParamSchema.safeParse(request.body);
      return param.success ? detail(param.data) : missing(param.error);
    }
    if (url.pathname === '/afterSale/operate') {
      const param = operateParamSchema.safeParse(request.body);
      return param.success ? operate(param.data) : missing(param.error);
    }
    const param = paramSchema.safeParse(request.body);
    if (!param.success)
      return envelope(40002, '缺少必选参数', 'isv.missing-parameter', `${param.error.issues[0]?.path.join('.')} 参数缺失或格式错误`);
    const earlier = answered.get(param.data.request_id);
    if (earlier) return earlier;
    const reply = ship(param.data);
    if ((reply.body as { code: number }).code === 10000) answered.set(param.data.request_id, reply);
    return reply;
  }

  const server = await PartnerServer.start(handle);
  return {
    server,
    addOrder(order) {
      orders.set(order.orderId, { cancelled: false, remaining: new Map(order.subOrders.map((s) => [s.id, s.quantity])), writeBacks: [] });
    },
    cancelOrder(orderId) {
      const order = orders.get(orderId);
      if (!order) throw new Error(`no order ${orderId} on the simulated platform`);
      order.cancelled = true;
    },
    writeBacks: (orderId) => structuredClone(orders.get(orderId)?.writeBacks ?? []),
    addAfterSale(afterSale) {
      // The platform's ids are numbers; the detail answer writes them unquoted.
      if (![afterSale.afterSaleId, afterSale.orderId, afterSale.skuOrderId].every((id) => /^\d+$/.test(id)))
        throw new Error('Douyin ids are digits');
      afterSales.set(afterSale.afterSaleId, {
        ...afterSale,
        type: afterSale.type ?? 1,
        status: 6,
        refundStatus: 1,
        updateTime: Math.floor(Date.now() / 1000),
        refundsPaid: 0,
      });
    },
    afterSale: (afterSaleId) => structuredClone(afterSales.get(afterSaleId)),
    settleRefund(afterSaleId, outcome = 'refunded') {
      const found = afterSales.get(afterSaleId);
      if (!found || found.status !== 12) throw new Error(`no approved after-sale ${afterSaleId} on the simulated platform`);
      found.refundStatus = outcome === 'refunded' ? 3 : 4;
    },
  };
}
