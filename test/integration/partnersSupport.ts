/**
 * The partners of one test hub, each a real HTTP server on loopback: a WMS, a carrier, a generic storefront (tmall,
 * jd…), a Shopify shop (website), a Douyin shop (douyin), payment providers, drop-ship suppliers and operations.
 * Tests read what they received; the hub reaches them through the PARTNERS configuration, the network settings and
 * the suppliers' accounts.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { startAlipay, type AlipaySimulator } from '../../scripts/lib/partners/alipay';
import type { Network } from '../../src/domain/routing/warehouses';
import type { SupplierProfileInput } from '../../src/domain/supplier';
import { startCarrier, type CarrierSimulator } from '../../scripts/lib/partners/carrier';
import { startDouyin, type DouyinSimulator } from '../../scripts/lib/partners/douyin';
import { startShopify, type ShopifySimulator } from '../../scripts/lib/partners/shopify';
import { startWebhookReceiver, type WebhookReceiver } from '../../scripts/lib/partners/webhookReceiver';
import { startAliyunSms, type AliyunSmsSimulator } from '../../scripts/lib/partners/sms';
import { startSmtp, type SmtpSimulator } from '../../scripts/lib/partners/smtp';
import { startWeCom, type WeComSimulator } from '../../scripts/lib/partners/wecom';

/** The carrier code test warehouses request e-waybills from. */
export const TEST_CARRIER = 'SF';
/** The mini-program's Alipay app id. */
export const ALIPAY_APP_ID = '2021000000000001';
/** Shopify credentials of the test shop. */
export const SHOPIFY_TOKEN = 'shpat_test_token';
/** Douyin shop credentials of the test app. */
export const DOUYIN = { appKey: 'dy-test-app', appSecret: 'dy-test-secret', accessToken: 'dy-test-token' };

/** Who escalations reach in tests: the supervisor, operations, and each warehouse's lead. */
export const PEOPLE = {
  supervisor: { phone: '+8613800000001', email: 'supervisor@brand.example' },
  operations: { phone: '+8613800000002', email: 'ops-lead@brand.example' },
  lead: (warehouseId: string) => ({ name: `${warehouseId} lead`, phone: '+8613900000000', email: `lead-${warehouseId}@wms.example` }),
};

/** The running partners of one hub. */
export interface LocalPartners {
  wms: WebhookReceiver;
  carrier: CarrierSimulator;
  storefront: WebhookReceiver;
  shopify: ShopifySimulator;
  douyin: DouyinSimulator;
  payments: WebhookReceiver;
  /** The own mini-program's payment provider: an Alipay gateway (refunds by out_request_no, settled on demand). */
  alipay: AlipaySimulator;
  /**
   * How the generic storefront answers `refund.status` for a refund key (the marketplace holds the money): settled
   * unless a test says otherwise.
   */
  refundStates: Map<string, 'settled' | 'pending' | 'failed'>;
  suppliers: WebhookReceiver;
  operations: WebhookReceiver;
  /** WeCom group robots by name (supervisor, operations, location) — escalation IM messages. */
  wecom: Record<'supervisor' | 'operations' | 'location', WeComSimulator>;
  /** The SMS gateway (Aliyun SendSms). */
  sms: AliyunSmsSimulator;
  /** The SMTP relay escalation e-mails go through. */
  smtp: SmtpSimulator;
  /** The hub's signing secret, which every receiver holds. */
  secret: string;
  /** The PARTNERS configuration pointing at these servers (JSON). */
  config: string;
  /** A network with each warehouse's WMS endpoint and carrier set to these servers. */
  connect(network: Network): Network;
  /** A supplier's profile whose orders and notices go to the suppliers server (`/{id}/orders`, `/{id}/notices`). */
  supplierProfile(supplierId: string): SupplierProfileInput;
  stop(): Promise<void>;
}

/** Starts every partner of one hub. `timeoutMs` is the hub's per-call timeout. */
export async function startLocalPartners(options: { timeoutMs?: number } = {}): Promise<LocalPartners> {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const secrets = [secret];
  const refundStates = new Map<string, 'settled' | 'pending' | 'failed'>();
  const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const appPem = {
    privateKeyPem: app.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: app.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
  const alipay = await startAlipay({ appId: ALIPAY_APP_ID, appPublicKeyPem: appPem.publicKeyPem });
  const storefrontHandler = (event: { type: string; data: unknown }) => {
    if (event.type !== 'refund.status') return { status: 200, body: { ok: true } };
    const key = (event.data as { refundKey?: string }).refundKey ?? '';
    return { status: 200, body: { state: refundStates.get(key) ?? 'settled', reference: `MKT-${key.length}` } };
  };
  const [wms, carrier, storefront, shopify, douyin, payments, suppliers, operations] = await Promise.all([
    startWebhookReceiver({ secrets }),
    startCarrier({ code: TEST_CARRIER, secrets }),
    startWebhookReceiver({ secrets, handler: storefrontHandler }),
    startShopify({ accessToken: SHOPIFY_TOKEN }),
    startDouyin(DOUYIN),
    startWebhookReceiver({ secrets }),
    startWebhookReceiver({ secrets }),
    startWebhookReceiver({ secrets }),
  ]);
  const [supervisorRobot, operationsRobot, locationRobot, sms, smtp] = await Promise.all([
    startWeCom({ key: 'robot-supervisor' }),
    startWeCom({ key: 'robot-operations' }),
    startWeCom({ key: 'robot-location' }),
    startAliyunSms({ accessKeyId: 'LTAI-test', accessKeySecret: 'sms-test-secret' }),
    startSmtp(),
  ]);
  const webhook = { adapter: 'webhook', url: `${storefront.server.url}/orders/shipments` };
  const payment = { url: `${payments.server.url}/refunds` };
  const genericChannels = ['tmall', 'jd', 'pinduoduo', 'youzan', 'miniprogram', 'b2b'];
  const allChannels = [...genericChannels, 'website', 'douyin'];
  const config = JSON.stringify({
    signingSecrets: secrets,
    timeoutMs: options.timeoutMs ?? 2000,
    channels: {
      ...Object.fromEntries(genericChannels.map((channel) => [channel, webhook])),
      website: { adapter: 'shopify', shopUrl: shopify.server.url, accessToken: SHOPIFY_TOKEN },
      douyin: { adapter: 'douyin', baseUrl: douyin.server.url, ...DOUYIN },
    },
    carriers: { [TEST_CARRIER]: { adapter: 'webhook', url: `${carrier.server.url}/waybills` } },
    payments: {
      ...Object.fromEntries(allChannels.map((channel) => [channel, payment])),
      miniprogram: {
        adapter: 'alipay',
        gatewayUrl: alipay.gatewayUrl,
        appId: ALIPAY_APP_ID,
        privateKeyPem: appPem.privateKeyPem,
        alipayPublicKeyPem: alipay.alipayPublicKeyPem,
      },
    },
    operations: { url: `${operations.server.url}/alerts` },
    notifications: {
      wecom: { supervisor: { url: supervisorRobot.url }, operations: { url: operationsRobot.url }, location: { url: locationRobot.url } },
      sms: {
        adapter: 'aliyun',
        baseUrl: sms.server.url,
        accessKeyId: 'LTAI-test',
        accessKeySecret: 'sms-test-secret',
        signName: '订单中心',
        templateCode: 'SMS_0001',
      },
      smtp: { host: smtp.host, port: smtp.port, from: 'Order Hub <alerts@brand.example>' },
      people: { supervisor: PEOPLE.supervisor, operations: PEOPLE.operations },
    },
  });
  return {
    wms,
    carrier,
    storefront,
    shopify,
    douyin,
    payments,
    alipay,
    refundStates,
    suppliers,
    operations,
    wecom: { supervisor: supervisorRobot, operations: operationsRobot, location: locationRobot },
    sms,
    smtp,
    secret,
    config,
    connect: (network) => ({
      ...network,
      warehouses: network.warehouses.map((w) => ({
        ...w,
        wms: { url: `${wms.server.url}/wms/${w.id}` },
        carrier: TEST_CARRIER,
        lead: PEOPLE.lead(w.id),
      })),
    }),
    supplierProfile: (supplierId) => ({
      contact: { name: `${supplierId} dispatch desk` },
      webhookUrl: `${suppliers.server.url}/${supplierId}/orders`,
      notify: { kind: 'webhook', url: `${suppliers.server.url}/${supplierId}/notices` },
    }),
    async stop() {
      await Promise.all([wms, carrier, storefront, shopify, douyin, payments, alipay, suppliers, operations].map((p) => p.server.stop()));
      await Promise.all([supervisorRobot, operationsRobot, locationRobot, sms].map((p) => p.server.stop()));
      await smtp.stop();
    },
  };
}
