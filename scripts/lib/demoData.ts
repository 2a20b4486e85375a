/** Demo data for `npm run dev`: the example network and rules, stock, partner accounts, and a few orders in different states. */
import { signWebhook } from '../../src/api/auth';
import { AccountExistsError, accountIdOf, type AccountKind } from '../../src/db/accounts';
import type { Stores } from '../../src/db/stores';
import { networkSchema, type Network } from '../../src/domain/routing/warehouses';
import { canonicalOrderWireSchema, type CanonicalOrderWire } from '../../src/domain/order';
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

/** The parties with a demo account: every demo warehouse, and the carrier its parcels leave with. */
const demoParties: Array<{ kind: AccountKind; partyId: string; name: string }> = [
  ...exampleWarehouses.map((w) => ({ kind: 'warehouse' as const, partyId: w.id, name: `${w.name} WMS` })),
  { kind: 'carrier', partyId: 'SF', name: 'SF Express' },
];

/** A demo account, with its key on the run that created it (the hub keeps only a hash, so never again). */
export interface DemoAccount {
  accountId: string;
  apiKey?: string;
}

/** Creates the demo parties' accounts once; on later runs they exist already and come back without keys. */
export async function seedDemoAccounts(stores: Stores): Promise<DemoAccount[]> {
  const seeded: DemoAccount[] = [];
  for (const party of demoParties) {
    try {
      const { account, key } = await stores.accounts.create({ ...party, keyLabel: 'npm run dev', actor: 'demo-seed' });
      seeded.push({ accountId: account.id, apiKey: key.apiKey });
    } catch (error) {
      if (!(error instanceof AccountExistsError)) throw error;
      seeded.push({ accountId: accountIdOf(party.kind, party.partyId) });
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
