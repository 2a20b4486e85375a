/**
 * Where the hub's outside messages go and with which credentials: channels, carriers, payment providers and
 * operations. Read from the PARTNERS environment variable (JSON), so tests point every partner at a local server.
 * Warehouses' WMS endpoints are in the network settings, and suppliers' in their accounts.
 */
import { z } from 'zod';
import { channelSchema } from '../domain/order';

/** A Standard Webhooks signing secret: `whsec_` and base64 of at least 24 bytes. */
export const signingSecretSchema = z.string().regex(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/, 'a Standard Webhooks secret (whsec_ and base64)');

/**
 * A generic signed-webhook receiver. `secrets` override the hub's signing secrets for this receiver; two at once
 * during a rotation (each request carries a signature for both, so the receiver may hold either).
 */
export const webhookEndpointSchema = z.strictObject({
  url: z.url(),
  secrets: z.array(signingSecretSchema).min(1).max(2).optional(),
});
/** A generic signed-webhook receiver. */
export type WebhookEndpoint = z.infer<typeof webhookEndpointSchema>;

/** How one sales channel receives write-backs: a generic signed webhook, Shopify's GraphQL Admin API, or Douyin shop (抖店). */
export const channelEndpointSchema = z.discriminatedUnion('adapter', [
  webhookEndpointSchema.extend({ adapter: z.literal('webhook') }),
  z.strictObject({
    adapter: z.literal('shopify'),
    /** The shop's admin origin, e.g. https://example.myshopify.com. */
    shopUrl: z.url(),
    accessToken: z.string().min(1),
    apiVersion: z
      .string()
      .regex(/^\d{4}-\d{2}$/)
      .default('2025-01'),
  }),
  z.strictObject({
    adapter: z.literal('douyin'),
    baseUrl: z.url().default('https://openapi-fxg.jinritemai.com'),
    appKey: z.string().min(1),
    appSecret: z.string().min(1),
    accessToken: z.string().min(1),
    /** Hub carrier code → Douyin `company_code` (from /order/logisticsCompanyList); a carrier not listed is sent as is. */
    companyCodes: z.record(z.string().min(1), z.string().min(1)).default({}),
  }),
]);
/** One channel's write-back endpoint. */
export type ChannelEndpoint = z.infer<typeof channelEndpointSchema>;

/** How one carrier issues e-waybills: a generic signed HTTP endpoint. */
export const carrierEndpointSchema = webhookEndpointSchema.extend({ adapter: z.literal('webhook') });
/** One carrier's endpoint. */
export type CarrierEndpoint = z.infer<typeof carrierEndpointSchema>;

/**
 * How one own-site channel's payment provider takes refunds: the generic signed webhook (the default, so `{ url }`
 * alone still reads as before) or Alipay's open API (alipay.trade.refund, RSA2-signed with the app's private key).
 */
export const paymentEndpointSchema = z.discriminatedUnion('adapter', [
  webhookEndpointSchema.extend({ adapter: z.literal('webhook').default('webhook') }),
  z.strictObject({
    adapter: z.literal('alipay'),
    gatewayUrl: z.url().default('https://openapi.alipay.com/gateway.do'),
    appId: z.string().min(1),
    /** The app's RSA private key: PEM, or the bare base64 (PKCS#8) Alipay's key tool prints. */
    privateKeyPem: z.string().min(1),
    /** Alipay's public key from the app's console; when set, signed answers must verify and a success must be signed. */
    alipayPublicKeyPem: z.string().min(1).optional(),
  }),
]);
/** One channel's payment provider. */
export type PaymentEndpoint = z.infer<typeof paymentEndpointSchema>;

const partyId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,32}$/);

/**
 * How people are reached (escalation notices): WeCom group robots by name, an SMS gateway (Aliyun SendSms), an SMTP
 * server, and named signed webhooks. An escalation policy's recipients name a robot, a phone, an address or a webhook.
 */
export const notificationChannelsSchema = z.strictObject({
  wecom: z.record(partyId, z.strictObject({ url: z.url() })).default({}),
  sms: z
    .strictObject({
      adapter: z.literal('aliyun'),
      baseUrl: z.url().default('https://dysmsapi.aliyuncs.com'),
      accessKeyId: z.string().min(1),
      accessKeySecret: z.string().min(1),
      signName: z.string().min(1),
      templateCode: z.string().min(1),
    })
    .optional(),
  smtp: z
    .strictObject({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535),
      secure: z.boolean().default(false),
      user: z.string().optional(),
      pass: z.string().optional(),
      from: z.string().min(3),
    })
    .optional(),
  webhooks: z.record(partyId, webhookEndpointSchema).default({}),
  /** Who the policy's roles `@supervisor` and `@operations` are, for SMS and e-mail (WeCom roles name robots). */
  people: z
    .partialRecord(
      z.enum(['supervisor', 'operations']),
      z.strictObject({ phone: z.string().trim().min(6).max(20).optional(), email: z.email().optional() }),
    )
    .default({}),
});
/** How people are reached. */
export type NotificationChannels = z.infer<typeof notificationChannelsSchema>;

/** Every partner the hub delivers to. */
export const partnersSchema = z.strictObject({
  /** The hub's Standard Webhooks secrets, newest first; two at once during a rotation. */
  signingSecrets: z.array(signingSecretSchema).min(1).max(2),
  /** Longest wait for one partner call before it counts as a timeout and is retried (within the activity's 20 s). */
  timeoutMs: z.number().int().min(100).max(15_000).default(10_000),
  /** Calls one worker has in flight to one partner at most: a slow partner cannot take every delivery slot. */
  maxInFlightPerPartner: z.number().int().min(1).max(100).default(8),
  channels: z.partialRecord(channelSchema, channelEndpointSchema).default({}),
  /** By carrier code, the code warehouses name in the network settings and carriers report with. */
  carriers: z.record(partyId, carrierEndpointSchema).default({}),
  /** By channel: the payment provider that took the buyer's money; own-site orders (website, miniprogram, b2b) are refunded there. */
  payments: z.partialRecord(channelSchema, paymentEndpointSchema).default({}),
  /** Where operations alerts go (holds, refused deliveries, late write-backs, stock below safety). */
  operations: webhookEndpointSchema.optional(),
  /** How escalation notices reach people. */
  notifications: notificationChannelsSchema.prefault({}),
});
/** Validated partner configuration. */
export type PartnerConfig = z.infer<typeof partnersSchema>;
/** Partner configuration as written, before defaults. */
export type PartnerConfigInput = z.input<typeof partnersSchema>;
