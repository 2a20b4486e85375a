/** The partner directory: which adapter delivers to whom, built once from the partner configuration and reused. */
import type { CarrierEndpoint, ChannelEndpoint, PartnerConfig, PaymentEndpoint, WebhookEndpoint } from '../../config/partners';
import type { Channel } from '../../domain/order';
import { createCarrierAdapter } from './carriers';
import { createDouyinAdapter } from './channels/douyin';
import { createShopifyAdapter } from './channels/shopify';
import { createWebhookChannelAdapter } from './channels/webhook';
import { createAlipayAdapter } from './payments/alipay';
import { createWebhookRefunds } from './payments/webhook';
import type { CarrierAdapter, ChannelAdapter, RefundAdapter, WebhookTarget, WmsAdapter } from './types';
import { createWebhookTarget, type WebhookOptions } from './webhook';
import { createWmsAdapter } from './wms';

/** Finds the adapter for a partner; undefined when the configuration names none (the caller decides what that means). */
export interface PartnerDirectory {
  /** The channel's write-back adapter. */
  channel(channel: Channel): ChannelAdapter | undefined;
  /** The WMS at an endpoint from the warehouse's network settings; one adapter per distinct endpoint. */
  wms(endpoint: WebhookEndpoint): WmsAdapter;
  /** The e-waybill adapter for a carrier code. */
  carrier(code: string): CarrierAdapter | undefined;
  /** A generic signed-webhook receiver named at run time (a supplier's webhook or notification target); one per endpoint. */
  webhook(endpoint: WebhookEndpoint): WebhookTarget;
  /** The payment provider configured for a channel (own-site channels take their refunds there). */
  payment(channel: Channel): RefundAdapter | undefined;
  /**
   * Whoever holds the buyer's money for a channel, which is where its refunds go: the marketplace's after-sales API
   * (its channel adapter) for marketplaces, the payment provider for the own site, mini-program and B2B.
   */
  refunds(channel: Channel): RefundAdapter | undefined;
  /** Where operations alerts go. */
  operations(): WebhookTarget | undefined;
}

/** Channels where the marketplace collects the buyer's payment, so only its after-sales API can pay it back. */
const MARKETPLACES: ReadonlySet<Channel> = new Set<Channel>(['tmall', 'jd', 'pinduoduo', 'douyin', 'youzan']);

/** Builds every configured partner's adapter now, so a bad secret stops start-up instead of a delivery. */
export function createPartnerDirectory(config: PartnerConfig): PartnerDirectory {
  const options: WebhookOptions = { signingSecrets: config.signingSecrets, timeoutMs: config.timeoutMs };
  const channels = buildEach(config.channels, (endpoint) => createChannelAdapter(endpoint, options));
  const carriers = buildEach(config.carriers, (endpoint: CarrierEndpoint) => createCarrierAdapter(endpoint, options));
  const payments = buildEach(config.payments, (endpoint: PaymentEndpoint) => createPaymentAdapter(endpoint, options));
  const operations = config.operations && createWebhookTarget(config.operations, options);
  // WMS endpoints live in the network settings and may change while the worker runs: built on first use per endpoint.
  const wmsByEndpoint = new Map<string, WmsAdapter>();
  // Suppliers' endpoints live in their accounts, editable at run time: likewise built on first use.
  const webhooksByEndpoint = new Map<string, WebhookTarget>();
  return {
    channel: (channel) => channels.get(channel),
    wms(endpoint) {
      const id = JSON.stringify([endpoint.url, endpoint.secrets ?? []]);
      let adapter = wmsByEndpoint.get(id);
      if (!adapter) wmsByEndpoint.set(id, (adapter = createWmsAdapter(endpoint, options)));
      return adapter;
    },
    carrier: (code) => carriers.get(code),
    webhook(endpoint) {
      const id = JSON.stringify([endpoint.url, endpoint.secrets ?? []]);
      let target = webhooksByEndpoint.get(id);
      if (!target) webhooksByEndpoint.set(id, (target = createWebhookTarget(endpoint, options)));
      return target;
    },
    payment: (channel) => payments.get(channel),
    refunds: (channel) => (MARKETPLACES.has(channel) ? channels.get(channel) : payments.get(channel)),
    operations: () => operations,
  };
}

/** Dispatches on the channel's adapter kind; platform adapters bring their own credentials instead of our secrets. */
function createChannelAdapter(endpoint: ChannelEndpoint, options: WebhookOptions): ChannelAdapter {
  switch (endpoint.adapter) {
    case 'webhook':
      return createWebhookChannelAdapter(endpoint, options);
    case 'shopify':
      return createShopifyAdapter(endpoint, { timeoutMs: options.timeoutMs });
    case 'douyin':
      return createDouyinAdapter(endpoint, { timeoutMs: options.timeoutMs });
  }
}

/** Dispatches on the payment provider's kind: the generic signed webhook, or Alipay with the app's own keys. */
function createPaymentAdapter(endpoint: PaymentEndpoint, options: WebhookOptions): RefundAdapter {
  switch (endpoint.adapter) {
    case 'webhook':
      return createWebhookRefunds(endpoint, options);
    case 'alipay':
      return createAlipayAdapter(endpoint, { timeoutMs: options.timeoutMs });
  }
}

/** A Map (not the config object) so an id like `constructor` or `__proto__` never finds an inherited property. */
function buildEach<K extends string, E, A>(endpoints: Partial<Record<K, E>>, build: (endpoint: E) => A): Map<string, A> {
  const built = new Map<string, A>();
  for (const [id, endpoint] of Object.entries(endpoints) as [K, E | undefined][]) if (endpoint) built.set(id, build(endpoint));
  return built;
}
