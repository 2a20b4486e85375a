/** Demo data for `npm run dev`: the example network and rules, stock, partner accounts, and a few orders in different states. */
import { signWebhook } from '../../src/api/auth';
import { AccountExistsError, accountIdOf, type NewAccount } from '../../src/db/accounts';
import type { Stores } from '../../src/db/stores';
import { networkSchema, type Network } from '../../src/domain/routing/warehouses';
import { canonicalOrderWireSchema, type CanonicalOrderWire } from '../../src/domain/order';
import type { SupplierProfileInput } from '../../src/domain/supplier';
import { dropShipExampleRuleSet, exampleRegionPriority, exampleWarehouses, rt2ExampleRuleSet } from '../../src/domain/routing/examples';
import { atDemoWms } from './partners/demo';

/** The channel secret of the dev stack (every channel). */
export const DEV_CHANNEL_SECRET = 'dev-channel-secret';
/** The operations key of the dev stack. */
export const DEV_OPS_KEY = 'dev-ops-key';

const stock: Array<[sku: string, warehouseId: string, units: number]> = [
  ['TS-001-M', 'suzhou', 500],
  ['TS-001-M', 'hefei', 300],
  ['TS-001-M', 'guangzhou', 200],
  ['ONESIE-01', 'hangzhou', 120],
  ['MUG-02', 'suzhou', 80],
  ['FJ-2026-RED', 'suzhou', 40],
];

/** What the demo network is connected to: the demo partners of this run (scripts/lib/partners/demo.ts). */
export interface DemoConnector {
  connect(network: Network): Network;
}

/**
 * Saves settings on an empty database (edits made later through the API are kept) and receives stock once. With
 * `partners`, the saved network points each warehouse at their WMS and carrier; see `reconnectNetwork` for later runs.
 */
export async function seedSettingsAndStock(stores: Stores, partners?: DemoConnector): Promise<void> {
  const stored = await stores.network.latest();
  if (stored.version === 0) {
    const network = networkSchema.parse({
      warehouses: exampleWarehouses,
      regionPriority: exampleRegionPriority,
      supplierDeliveryDays: { 'sup-hz-box': 2 },
    });
    await stores.network.save(partners ? partners.connect(network) : network, 'demo-seed');
  } else if (partners) {
    await reconnectNetwork(stores, stored.version, stored.body, partners);
  }
  if ((await stores.routingRules.latest()).version === 0) {
    await stores.routingRules.save(
      { id: 'demo-rules', version: 1, rules: [...rt2ExampleRuleSet.rules, ...dropShipExampleRuleSet.rules] },
      'demo-seed',
    );
  }
  for (const [sku, warehouseId, units] of stock) {
    await stores.ledger.adjust(sku, warehouseId, `demo-seed:${sku}@${warehouseId}`, 'receipt', units, {
      actor: 'demo-seed',
      note: 'opening stock',
    });
  }
}

/**
 * The demo partners listen on new ports every run, so a stored network would point at the last run's servers. Each
 * warehouse still at a loopback demo WMS, or at none (networks saved before the hub delivered over HTTP), is
 * re-pointed at this run's partners; one the user pointed elsewhere is kept. Saved as a new version only on a change.
 */
async function reconnectNetwork(stores: Stores, version: number, stored: Network, partners: DemoConnector): Promise<void> {
  const connected = partners.connect(stored);
  const next: Network = {
    ...stored,
    warehouses: stored.warehouses.map((w, i) => (!w.wms || atDemoWms(w) ? connected.warehouses[i]! : w)),
  };
  if (JSON.stringify(next) !== JSON.stringify(stored)) await stores.network.save(next, 'demo-seed', version);
}

/** Where the demo supplier's orders and notices go on this run: the demo partners' URLs, when they run. */
export interface DemoSupplierUrls {
  supplierWebhookUrl?: string;
  supplierNotifyUrl?: string;
}

/** The supplier the demo routing rules drop-ship gift boxes to (src/domain/routing/examples.ts). */
const DEMO_SUPPLIER_ID = 'sup-hz-box';
const seededBy = { keyLabel: 'npm run dev', actor: 'demo-seed' };

/** The demo supplier's URLs given for this run; a profile without them has the supplier work from the API. */
function demoSupplierUrls(partners?: DemoSupplierUrls): Pick<SupplierProfileInput, 'webhookUrl' | 'notify'> {
  return {
    ...(partners?.supplierWebhookUrl ? { webhookUrl: partners.supplierWebhookUrl } : {}),
    ...(partners?.supplierNotifyUrl ? { notify: { kind: 'webhook', url: partners.supplierNotifyUrl } } : {}),
  };
}

/** The parties with a demo account: every demo warehouse, the carrier its parcels leave with, and the gift-box supplier. */
function demoParties(partners?: DemoSupplierUrls): NewAccount[] {
  return [
    ...exampleWarehouses.map((w) => ({ kind: 'warehouse' as const, partyId: w.id, name: `${w.name} WMS`, ...seededBy })),
    { kind: 'carrier', partyId: 'SF', name: 'SF Express', ...seededBy },
    {
      kind: 'supplier',
      partyId: DEMO_SUPPLIER_ID,
      name: 'Hangzhou Gift Box Co.',
      supplier: {
        contact: { name: 'Wang Fang', email: 'orders@hz-box.example', phone: '+86 571 8800 1234' },
        ...demoSupplierUrls(partners),
      },
      ...seededBy,
    },
  ];
}

/** A demo account, with its key on the run that created it (the hub keeps only a hash, so never again). */
export interface DemoAccount {
  accountId: string;
  apiKey?: string;
}

const unsetOrLoopback = (url: string | undefined): boolean => !url || ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);

/**
 * The demo partners listen on new ports every run: an existing demo supplier whose URLs are unset or on loopback (an
 * earlier run's) is re-pointed at this run's; one the user pointed elsewhere is kept.
 */
async function reconnectDemoSupplier(stores: Stores, partners: DemoSupplierUrls): Promise<void> {
  const accountId = accountIdOf('supplier', DEMO_SUPPLIER_ID);
  const { supplier } = await stores.accounts.find(accountId);
  if (!supplier || !unsetOrLoopback(supplier.webhookUrl) || !unsetOrLoopback(supplier.notify?.url)) return;
  const next: SupplierProfileInput = { contact: supplier.contact, ...demoSupplierUrls(partners) };
  if (JSON.stringify(next) !== JSON.stringify(supplier)) await stores.accounts.updateProfile(accountId, next, seededBy.actor);
}

/**
 * Creates the demo parties' accounts once; on later runs they exist already and come back without keys. With
 * `partners`, the demo supplier's profile points at them.
 */
export async function seedDemoAccounts(stores: Stores, partners?: DemoSupplierUrls): Promise<DemoAccount[]> {
  const seeded: DemoAccount[] = [];
  for (const party of demoParties(partners)) {
    try {
      const { account, key } = await stores.accounts.create(party);
      seeded.push({ accountId: account.id, apiKey: key.apiKey });
    } catch (error) {
      if (!(error instanceof AccountExistsError)) throw error;
      seeded.push({ accountId: accountIdOf(party.kind, party.partyId) });
      if (party.kind === 'supplier' && partners) await reconnectDemoSupplier(stores, partners);
    }
  }
  return seeded;
}

/** A demo order as a channel posts it (the wire form: decimal amounts); checked here so a broken demo fails at start. */
function demoOrder(channelOrderId: string, overrides: Partial<CanonicalOrderWire>): CanonicalOrderWire {
  const order: CanonicalOrderWire = {
    channel: 'tmall',
    channelOrderId,
    brand: 'acme',
    buyer: { id: `buyer-${channelOrderId}`, phone: '13812345678' },
    shippingAddress: {
      name: '张三',
      phone: '13812345678',
      province: '江苏',
      city: '苏州',
      district: '工业园区',
      line1: '星湖街 328 号 2 栋 1201',
    },
    lines: [{ lineId: 'L1', sku: 'TS-001-M', category: 'tshirt', quantity: 2, unitPrice: 89.9, listPrice: 99.9 }],
    amounts: { goods: 179.8, shipping: 0, discount: 0, paid: 179.8 },
    paymentStatus: 'paid',
    createdAt: '2026-11-24T08:00:00+08:00',
    paidAt: '2026-11-24T08:01:00+08:00',
    ...overrides,
  };
  canonicalOrderWireSchema.parse(order);
  return order;
}

/** Orders that show the lifecycle in the Web UI: one fulfilling, one held for review, one awaiting payment (amounts are decimals, as channels send them). */
export const demoOrders: CanonicalOrderWire[] = [
  demoOrder('DEMO-1001', {}),
  demoOrder('DEMO-1002', {
    channel: 'douyin',
    lines: [{ lineId: 'L1', sku: 'TS-001-M', category: 'tshirt', quantity: 1, unitPrice: 199, listPrice: 299 }],
    amounts: { goods: 199, shipping: 0, discount: 0, paid: 199 },
  }),
  demoOrder('DEMO-1003', { paymentStatus: 'unpaid', paidAt: undefined, channel: 'miniprogram' }),
];

/** Posts the demo orders through the API as signed channel webhooks (idempotent: fixed event ids). */
export async function postDemoOrders(baseUrl: string): Promise<string[]> {
  const answers: string[] = [];
  for (const order of demoOrders) {
    const raw = JSON.stringify({ type: 'snapshot', eventId: `demo:${order.channelOrderId}`, order });
    const timestamp = new Date().toISOString();
    const response = await fetch(`${baseUrl}/v1/channels/${order.channel}/events`, {
      method: 'POST',
      body: raw,
      headers: {
        'content-type': 'application/json',
        'x-orderhub-timestamp': timestamp,
        'x-orderhub-signature': signWebhook(DEV_CHANNEL_SECRET, timestamp, raw),
      },
    });
    const body = (await response.json()) as { orderId?: string; status?: string };
    answers.push(`${body.orderId ?? order.channelOrderId}: ${response.status} ${body.status ?? ''}`);
  }
  return answers;
}
