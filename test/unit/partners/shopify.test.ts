/** Shopify write-back over real loopback HTTP to the simulated shop: one fulfilment per parcel, never two. */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { createShopifyAdapter } from '../../../src/activities/partners/channels/shopify';
import type { ShipmentWriteBack } from '../../../src/activities/partners/types';
import { startShopify } from '../../../scripts/lib/partners/shopify';

const TOKEN = 'shpat_test_token';
const GRAPHQL = '/admin/api/2025-01/graphql.json';

async function shop(t: TestContext, accessToken = TOKEN) {
  const simulator = await startShopify({ accessToken: TOKEN });
  t.after(() => simulator.server.stop());
  simulator.addOrder({
    id: '5001',
    lineItems: [
      { id: '901', sku: 'TEA-01', quantity: 2 },
      { id: '902', sku: 'CUP-01', quantity: 1 },
    ],
  });
  const adapter = createShopifyAdapter(
    { adapter: 'shopify', shopUrl: simulator.server.url, accessToken, apiVersion: '2025-01' },
    { timeoutMs: 1000 },
  );
  return { simulator, adapter };
}

function parcel(overrides: Partial<ShipmentWriteBack> = {}): ShipmentWriteBack {
  return {
    orderId: 'website-5001',
    channel: 'website',
    channelOrderId: '5001',
    shipmentId: 'S1',
    carrier: 'SF Express',
    trackingNumber: 'SF100200300',
    lines: [{ lineId: '901', sku: 'TEA-01', quantity: 2 }],
    ...overrides,
  };
}

test('a write-back creates one fulfilment with our tracking number and only our lines', async (t) => {
  const { simulator, adapter } = await shop(t);

  const answer = await adapter.writeBackShipment(parcel(), 'k1');

  const [fulfillment, ...others] = simulator.fulfillments('5001');
  assert.equal(others.length, 0);
  assert.deepEqual(answer, { outcome: 'delivered', status: 200, excerpt: answer.excerpt, reference: fulfillment?.id });
  assert.deepEqual(fulfillment?.trackingInfo, { number: 'SF100200300', company: 'SF Express' });
  assert.deepEqual(fulfillment?.lineItems, [{ lineItemId: '901', sku: 'TEA-01', quantity: 2 }]);
  const [lookup, create] = simulator.server.received;
  assert.equal(simulator.server.received.length, 2);
  assert.equal(lookup?.path, GRAPHQL);
  assert.equal(lookup?.headers['x-shopify-access-token'], TOKEN);
  assert.deepEqual((lookup?.body as any).variables, { id: 'gid://shopify/Order/5001' });
  const input = (create?.body as any).variables.fulfillment;
  assert.match((create?.body as any).query, /fulfillmentCreate\(fulfillment: \$fulfillment\)/);
  assert.deepEqual(input.trackingInfo, { number: 'SF100200300', company: 'SF Express' });
  assert.equal(input.lineItemsByFulfillmentOrder.length, 1);
  assert.deepEqual(
    input.lineItemsByFulfillmentOrder[0].fulfillmentOrderLineItems.map((i: any) => i.quantity),
    [2],
  );
});

test("a split order's two parcels become two fulfilments, each with its own lines", async (t) => {
  const { simulator, adapter } = await shop(t);

  const first = await adapter.writeBackShipment(parcel(), 'k1');
  const second = await adapter.writeBackShipment(
    parcel({ shipmentId: 'S2', trackingNumber: 'SF999', lines: [{ lineId: '902', sku: 'CUP-01', quantity: 1 }] }),
    'k2',
  );

  assert.equal(first.outcome, 'delivered');
  assert.equal(second.outcome, 'delivered');
  const fulfillments = simulator.fulfillments('5001');
  assert.deepEqual(
    fulfillments.map((f) => [f.trackingInfo.number, f.lineItems]),
    [
      ['SF100200300', [{ lineItemId: '901', sku: 'TEA-01', quantity: 2 }]],
      ['SF999', [{ lineItemId: '902', sku: 'CUP-01', quantity: 1 }]],
    ],
  );
});

test('a line whose id Shopify does not know is matched by its SKU', async (t) => {
  const { simulator, adapter } = await shop(t);

  const answer = await adapter.writeBackShipment(parcel({ lines: [{ lineId: 'L-2', sku: 'CUP-01', quantity: 1 }] }), 'k1');

  assert.equal(answer.outcome, 'delivered');
  assert.deepEqual(simulator.fulfillments('5001')[0]?.lineItems, [{ lineItemId: '902', sku: 'CUP-01', quantity: 1 }]);
});

test('THROTTLED three times gives three retries with the bucket refill wait, then one delivery', async (t) => {
  const { simulator, adapter } = await shop(t);
  simulator.throttleNext(3, { requestedQueryCost: 252, currentlyAvailable: 2, restoreRate: 50 });

  const answers = [];
  for (let attempt = 0; attempt < 4; attempt++) answers.push(await adapter.writeBackShipment(parcel(), 'k1'));

  assert.deepEqual(
    answers.slice(0, 3).map((a) => [a.outcome, a.outcome === 'retry' ? a.retryAfterMs : undefined]),
    [
      ['retry', 5000],
      ['retry', 5000],
      ['retry', 5000],
    ],
  );
  assert.equal(answers[3]?.outcome, 'delivered');
  assert.equal(simulator.fulfillments('5001').length, 1);
  assert.equal(simulator.server.received.length, 5);
});

test('a throttle wait never goes under one second', async (t) => {
  const { simulator, adapter } = await shop(t);
  simulator.throttleNext(1, { requestedQueryCost: 10, currentlyAvailable: 9, restoreRate: 100 });

  const answer = await adapter.writeBackShipment(parcel(), 'k1');

  assert.equal(answer.outcome === 'retry' && answer.retryAfterMs, 1000);
});

test('a fulfilment created whose answer was lost is found by the retry, and the shop holds exactly one', async (t) => {
  const { simulator, adapter } = await shop(t);
  simulator.scriptNextCreate({ handleThenDrop: true });

  const lost = await adapter.writeBackShipment(parcel(), 'k1');
  const retried = await adapter.writeBackShipment(parcel(), 'k1');

  assert.equal(lost.outcome, 'retry');
  const fulfillments = simulator.fulfillments('5001');
  assert.equal(fulfillments.length, 1);
  assert.deepEqual(retried, { outcome: 'delivered', status: 200, excerpt: retried.excerpt, reference: fulfillments[0]?.id });
  const creates = simulator.server.received.filter((r) => (r.body as any).query.includes('fulfillmentCreate'));
  assert.equal(creates.length, 1, 'the retry looked up and did not create again');
});

test('a wrong access token is refused with what Shopify said', async (t) => {
  const { simulator, adapter } = await shop(t, 'shpat_wrong');

  const answer = await adapter.writeBackShipment(parcel(), 'k1');

  assert.equal(answer.outcome, 'refused');
  assert.equal(answer.status, 401);
  assert.match(answer.outcome === 'refused' ? answer.reason : '', /Invalid API key or access token/);
  assert.equal(simulator.fulfillments('5001').length, 0);
});

test("a cancelled order is refused with Shopify's userError message", async (t) => {
  const { simulator, adapter } = await shop(t);
  simulator.cancelOrder('5001');

  const answer = await adapter.writeBackShipment(parcel(), 'k1');

  assert.equal(answer.outcome, 'refused');
  assert.match(answer.outcome === 'refused' ? answer.reason : '', /the order has been cancelled/);
  assert.equal(simulator.fulfillments('5001').length, 0);
});

test('a line with nothing left open is refused before anything is created', async (t) => {
  const { simulator, adapter } = await shop(t);

  const answer = await adapter.writeBackShipment(parcel({ lines: [{ lineId: '901', sku: 'TEA-01', quantity: 3 }] }), 'k1');

  assert.equal(answer.outcome, 'refused');
  assert.match(answer.outcome === 'refused' ? answer.reason : '', /no open fulfillment order line for line 901/);
  assert.equal(simulator.server.received.length, 1, 'only the look-up was sent');
});

test('an order Shopify does not have is refused', async (t) => {
  const { adapter } = await shop(t);

  const answer = await adapter.writeBackShipment(parcel({ channelOrderId: '404' }), 'k1');

  assert.equal(answer.outcome === 'refused' && answer.reason, 'Shopify has no order 404');
});

test('an unexpected answer is refused, a server error retried', async (t) => {
  const { simulator, adapter } = await shop(t);
  simulator.server.script(
    GRAPHQL,
    { status: 200, body: { data: { orders: [] } } },
    { status: 503, body: { errors: 'Service Unavailable' } },
  );

  const odd = await adapter.writeBackShipment(parcel(), 'k1');
  const down = await adapter.writeBackShipment(parcel(), 'k1');

  assert.equal(odd.outcome, 'refused');
  assert.match(odd.outcome === 'refused' ? odd.reason : '', /unexpected answer/);
  assert.equal(down.outcome, 'retry');
  assert.equal(simulator.fulfillments('5001').length, 0);
});
