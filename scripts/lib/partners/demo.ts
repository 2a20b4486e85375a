/**
 * Demo partners for `npm run dev` and the bench: a WMS, the carrier SF, a storefront for every channel, payment
 * providers, the demo suppliers and operations, each a real HTTP server on loopback that accepts every message.
 * Without them the hub has nowhere to deliver, and every order stalls at dispatch waiting for a person.
 */
import { randomBytes } from 'node:crypto';
import { createLogger } from '../../../src/logging';
import { channelSchema } from '../../../src/domain/order';
import type { Network, Warehouse } from '../../../src/domain/routing/warehouses';
import type { SupplierProfileInput } from '../../../src/domain/supplier';
import { startCarrier, type CarrierSimulator } from './carrier';
import type { PartnerBehaviour } from './server';
import { startWebhookReceiver, type EventHandler, type WebhookReceiver } from './webhookReceiver';
import { startSmtp, type SmtpSimulator } from './smtp';
import { startWeCom, type WeComSimulator } from './wecom';

/** The carrier code every demo warehouse requests e-waybills from. */
export const DEMO_CARRIER = 'SF';

/** The running demo partners, by role. */
export interface DemoReceivers {
  wms: WebhookReceiver;
  carrier: CarrierSimulator;
  storefront: WebhookReceiver;
  payments: WebhookReceiver;
  suppliers: WebhookReceiver;
  operations: WebhookReceiver;
}

/** Demo partners and how the hub reaches them. */
export interface DemoPartners {
  /** The PARTNERS configuration pointing at these servers (JSON), for the worker and API processes. */
  config: string;
  /** A network with each warehouse's WMS endpoint and carrier set to these servers. */
  connect(network: Network): Network;
  /** A supplier's profile whose orders and notices go to the demo suppliers server, for its account. */
  supplierProfile(supplierId: string): SupplierProfileInput;
  /** Where escalation notices go: one WeCom group robot for every role, and a mailbox. */
  people: { wecom: WeComSimulator; smtp: SmtpSimulator };
  /** The servers, to read what they received. */
  receivers: DemoReceivers;
  /** Base URL of each server, by role, for a start-up banner. */
  urls: Record<keyof DemoReceivers, string>;
  /** Events each server accepted so far, by role. */
  counts(): Record<keyof DemoReceivers, number>;
  stop(): Promise<void>;
}

/** How to start the demo partners. */
export interface DemoPartnerOptions {
  /** The hub's signing secrets, which every receiver holds; default a fresh random one, as nothing else needs to know it. */
  secrets?: string[];
  /**
   * The host name the hub is given for the servers (default 127.0.0.1). They listen on loopback only, so this is just
   * another name for it, e.g. `localhost`.
   */
  host?: string;
  /**
   * How every receiver (WMS, carrier, storefront, payments, suppliers, operations) answers besides accepting: a mean
   * answer time and a share of 429/500/timeouts (default: at once, never failing). `receivers.<role>.server.behave`
   * changes it later.
   */
  behaviour?: PartnerBehaviour;
  /**
   * Answer `refund.status` with `{"state": "settled"}` at the storefront and the payment provider, so a refund the
   * hub asks for settles (default: plain `{ok: true}`, which names no state, so the hub reads the refund as failed).
   */
  settleRefunds?: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * True when the warehouse's WMS is a demo WMS: on loopback at `/wms/<warehouse id>`, as `connect` sets it. The
 * demo servers take new ports on every run, so `npm run dev` re-points such warehouses at the running ones.
 */
export function atDemoWms(warehouse: Pick<Warehouse, 'id' | 'wms'>): boolean {
  if (!warehouse.wms) return false;
  const url = new URL(warehouse.wms.url);
  return LOOPBACK_HOSTS.has(url.hostname) && url.pathname === `/wms/${encodeURIComponent(warehouse.id)}`;
}

/** Starts every demo partner on free loopback ports. */
export async function startDemoPartners(options: DemoPartnerOptions = {}): Promise<DemoPartners> {
  const secrets = options.secrets ?? [`whsec_${randomBytes(32).toString('base64')}`];
  const host = options.host ?? '127.0.0.1';
  const refunds = options.settleRefunds ? { handler: settlingRefunds } : {};
  const [wms, carrier, storefront, payments, suppliers, operations] = await Promise.all([
    startWebhookReceiver({ secrets }),
    startCarrier({ code: DEMO_CARRIER, secrets }),
    startWebhookReceiver({ secrets, ...refunds }),
    startWebhookReceiver({ secrets, ...refunds }),
    startWebhookReceiver({ secrets }),
    startWebhookReceiver({ secrets }),
  ]);
  const receivers: DemoReceivers = { wms, carrier, storefront, payments, suppliers, operations };
  if (options.behaviour) for (const receiver of Object.values(receivers)) receiver.server.behave(options.behaviour);
  const [wecom, smtp] = await Promise.all([startWeCom({ key: 'demo-robot' }), startSmtp()]);
  const robot = { url: wecom.url };
  const names = Object.keys(receivers) as Array<keyof DemoReceivers>;
  const base = (receiver: WebhookReceiver) => `http://${host}:${new URL(receiver.server.url).port}`;
  const urls = Object.fromEntries(names.map((name) => [name, base(receivers[name])])) as DemoPartners['urls'];
  logEvents(receivers);

  // Every channel, Shopify and Douyin ones too, writes back through a generic webhook: the demo has no shop to call.
  const channels = channelSchema.options;
  const config = JSON.stringify({
    signingSecrets: secrets,
    channels: Object.fromEntries(channels.map((c) => [c, { adapter: 'webhook', url: `${urls.storefront}/channels/${c}/shipments` }])),
    carriers: { [DEMO_CARRIER]: { adapter: 'webhook', url: `${urls.carrier}/waybills` } },
    payments: Object.fromEntries(channels.map((c) => [c, { url: `${urls.payments}/channels/${c}/refunds` }])),
    operations: { url: `${urls.operations}/alerts` },
    notifications: {
      wecom: { supervisor: robot, operations: robot, location: robot },
      smtp: { host: smtp.host, port: smtp.port, from: 'Order Hub demo <alerts@orderhub.example>' },
      people: { supervisor: { email: 'supervisor@orderhub.example' }, operations: { email: 'operations@orderhub.example' } },
    },
  });
  return {
    config,
    connect: (network) => ({
      ...network,
      warehouses: network.warehouses.map((w) => ({
        ...w,
        wms: { url: `${urls.wms}/wms/${encodeURIComponent(w.id)}` },
        carrier: DEMO_CARRIER,
      })),
    }),
    supplierProfile: (supplierId) => ({
      contact: { name: `${supplierId} dispatch desk` },
      webhookUrl: `${urls.suppliers}/suppliers/${encodeURIComponent(supplierId)}/orders`,
      notify: { kind: 'webhook', url: `${urls.suppliers}/suppliers/${encodeURIComponent(supplierId)}/notices` },
    }),
    people: { wecom, smtp },
    receivers,
    urls,
    counts: () => Object.fromEntries(names.map((name) => [name, receivers[name].events().length])) as Record<keyof DemoReceivers, number>,
    async stop() {
      await Promise.all(names.map((name) => receivers[name].server.stop()));
      await Promise.all([wecom.server.stop(), smtp.stop()]);
    },
  };
}

/** A receiver that holds the buyer's money: every refund it was asked for has settled by the time the hub asks. */
const settlingRefunds: EventHandler = (event) =>
  event.type === 'refund.status'
    ? { status: 200, body: { state: 'settled', reference: `demo-refund-${event.id.slice(0, 24)}` } }
    : { status: 200, body: { ok: true } };

/**
 * One debug line per event a demo partner receives (LOG_LEVEL=debug); silent otherwise, so the demo's output stays
 * the hub's. The refusal hook is the one place every receiver, the carrier too, shows each new event before
 * answering it; it refuses nothing here.
 */
function logEvents(receivers: DemoReceivers): void {
  const logger = createLogger(process.env.LOG_LEVEL ?? 'info', 'demo-partners');
  if (!logger.isLevelEnabled('debug')) return;
  for (const [partner, receiver] of Object.entries(receivers) as Array<[string, WebhookReceiver]>) {
    receiver.refuse((event) => {
      const data = event.data as { orderId?: unknown } | null;
      const orderId = typeof data?.orderId === 'string' ? data.orderId : undefined;
      logger.debug({ partner, type: event.type, webhookId: event.id, orderId }, 'demo partner received an event');
      return undefined;
    });
  }
}
