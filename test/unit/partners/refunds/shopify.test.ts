/** Shopify refunds over real loopback HTTP to the simulated shop: one refund per key, however often it is asked. */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { createShopifyAdapter } from '../../../../src/activities/partners/channels/shopify';
import type { RefundRequest } from '../../../../src/activities/partners/types';
import { startShopify, type RefundTransactionStatus } from '../../../../scripts/lib/partners/shopify';

const TOKEN = 'shpat_test_token';
const KEY = 'refund:website-5001:return:RMA-1';

async function shop(t: TestContext, options: { apiVersion?: string; refundStatus?: RefundTransactionStatus } = {}) {
  const apiVersion = options.apiVersion ?? '2025-01';
  const simulator = await startShopify({
    accessToken: TOKEN,
    apiVersion,
    ...(options.refundStatus ? { refundStatus: options.refundStatus } : {}),
  });
  t.after(() => simulator.server.stop());
  simulator.addOrder({
    id: '5001',
    paidMinor: 12000,
    lineItems: [
      { id: '901', sku: 'TEA-01', quantity: 2 },
      { id: '902', sku: 'CUP-01', quantity: 1 },
    ],
  });
  const adapter = createShopifyAdapter(
    { adapter: 'shopify', shopUrl: simulator.server.url, accessToken: TOKEN, apiVersion },
    { timeoutMs: 1000 },
  );
  return { simulator, adapter, graphql: `/admin/api/${apiVersion}/graphql.json` };
}

function refund(overrides: Partial<RefundRequest> = {}): RefundRequest {
  return {
    orderId: 'website-5001',
    channel: 'website',
    channelOrderId: '5001',
    amountMinor: 4500,
    reason: 'returned tea',
    cause: 'return:RMA-1',
    lines: [{ lineId: '901', sku: 'TEA-01', quantity: 1 }],
    ...overrides,
  };
}

const creates = (simulator: Awaited<ReturnType<typeof shop>>['simulator']) =>
  simulator.server.received.filter((r) => (r.body as any).query.includes('refundCreate'));

test('a refund is one refundCreate on the captured payment, with our lines and our key in its note', async (t) => {
  const { simulator, adapter } = await shop(t);

  const answer = await adapter.requestRefund(refund(), KEY);

  const [made, ...others] = simulator.refunds('5001');
  assert.equal(others.length, 0);
  assert.deepEqual(answer, { outcome: 'delivered', status: 200, excerpt: answer.excerpt, reference: made?.id });
  assert.equal(made?.amountMinor, 4500);
  assert.deepEqual(made?.lineItems, [{ lineItemId: '901', quantity: 1, restockType: 'NO_RESTOCK' }]);
  assert.equal(made?.note, `returned tea [order hub ${KEY}]`);
  const input = (creates(simulator)[0]?.body as any).variables.input;
  assert.equal(input.orderId, 'gid://shopify/Order/5001');
  assert.equal(input.notify, true);
  assert.deepEqual(
    input.transactions.map((tr: any) => [tr.kind, tr.amount, tr.gateway]),
    [['REFUND', '45.00', 'shopify_payments']],
  );
});

test('a refund whose answer was lost is found by the retry, and the shop pays once', async (t) => {
  const { simulator, adapter } = await shop(t);
  simulator.scriptNextRefundCreate({ handleThenDrop: true });

  const lost = await adapter.requestRefund(refund(), KEY);
  const retried = await adapter.requestRefund(refund(), KEY);
  const again = await adapter.requestRefund(refund(), KEY);

  assert.equal(lost.outcome, 'retry');
  const made = simulator.refunds('5001');
  assert.equal(made.length, 1);
  assert.deepEqual([retried.outcome, again.outcome], ['delivered', 'delivered']);
  assert.equal(retried.outcome === 'delivered' && retried.reference, made[0]?.id);
  assert.equal(creates(simulator).length, 1, 'the retries looked up and did not create again');
});

test('two refunds of one order for two causes are two refunds', async (t) => {
  const { simulator, adapter } = await shop(t);

  await adapter.requestRefund(refund(), KEY);
  await adapter.requestRefund(refund({ cause: 'adjustment:1', amountMinor: 500, lines: [] }), 'refund:website-5001:adjustment:1');

  assert.deepEqual(
    simulator.refunds('5001').map((r) => r.amountMinor),
    [4500, 500],
  );
});

test('from API version 2026-01 refundCreate carries @idempotent: a retry that reads stale still refunds once', async (t) => {
  const { simulator, adapter, graphql } = await shop(t, { apiVersion: '2026-01' });
  const before = await fetch(`${simulator.server.url}${graphql}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': TOKEN },
    body: JSON.stringify({ query: 'query { order(id: $id) { refunds } }', variables: { id: 'gid://shopify/Order/5001' } }),
  }).then((r) => r.json());
  simulator.scriptNextRefundCreate({ handleThenDrop: true });

  const lost = await adapter.requestRefund(refund(), KEY);
  // The retry's look-up reads the order as it was before the refund, so only Shopify's own dedupe stands in the way.
  simulator.server.script(graphql, { status: 200, body: before });
  const retried = await adapter.requestRefund(refund(), KEY);

  assert.equal(lost.outcome, 'retry');
  const [made, ...others] = simulator.refunds('5001');
  assert.equal(others.length, 0);
  assert.equal(creates(simulator).length, 2);
  assert.equal(retried.outcome === 'delivered' && retried.reference, made?.id);
  assert.match(made?.idempotencyKey ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.match((creates(simulator)[0]?.body as any).query, /refundCreate\(input: \$input\) @idempotent\(key: "[0-9a-f-]{36}"\)/);
});

test('API versions before 2026-01 are sent no @idempotent directive', async (t) => {
  const { simulator, adapter } = await shop(t);

  await adapter.requestRefund(refund(), KEY);

  assert.doesNotMatch((creates(simulator)[0]?.body as any).query, /@idempotent/);
});

test('refunding more than was paid is refused with the userError Shopify gave', async (t) => {
  const { simulator, adapter } = await shop(t);

  const answer = await adapter.requestRefund(refund({ amountMinor: 12001 }), KEY);

  assert.equal(answer.outcome === 'refused' && answer.reason, 'Shopify: Refund amount exceeds the refundable amount');
  assert.equal(simulator.refunds('5001').length, 0);
});

test('a line Shopify does not know is refused before anything is created', async (t) => {
  const { simulator, adapter } = await shop(t);

  const answer = await adapter.requestRefund(refund({ lines: [{ lineId: 'L-9', sku: 'NOPE', quantity: 1 }] }), KEY);

  assert.equal(answer.outcome === 'refused' && answer.reason, "Shopify's order has no line item L-9 (SKU NOPE)");
  assert.equal(creates(simulator).length, 0);
});

test('THROTTLED is retried after the bucket refills, and then the refund is made once', async (t) => {
  const { simulator, adapter } = await shop(t);
  simulator.throttleNext(1, { requestedQueryCost: 100, currentlyAvailable: 0, restoreRate: 50 });

  const throttled = await adapter.requestRefund(refund(), KEY);
  const made = await adapter.requestRefund(refund(), KEY);

  assert.equal(throttled.outcome === 'retry' && throttled.retryAfterMs, 2000);
  assert.equal(made.outcome, 'delivered');
  assert.equal(simulator.refunds('5001').length, 1);
});

test("the settlement check follows the refund transaction's status: pending, then settled", async (t) => {
  const { simulator, adapter } = await shop(t, { refundStatus: 'PENDING' });
  await adapter.requestRefund(refund(), KEY);

  const before = await adapter.refundStatus(refund(), KEY);
  simulator.settleRefund(simulator.refunds('5001')[0]!.id);
  const after = await adapter.refundStatus(refund(), KEY);

  assert.equal(before.outcome === 'answered' && before.state, 'pending');
  assert.equal(after.outcome === 'answered' && after.state, 'settled');
  assert.equal(after.outcome === 'answered' && after.reference, simulator.refunds('5001')[0]?.id);
});

test('a refund whose transaction failed reads as failed', async (t) => {
  const { simulator, adapter } = await shop(t, { refundStatus: 'PENDING' });
  await adapter.requestRefund(refund(), KEY);
  simulator.settleRefund(simulator.refunds('5001')[0]!.id, 'FAILURE');

  const status = await adapter.refundStatus(refund(), KEY);

  assert.equal(status.outcome === 'answered' && status.state, 'failed');
});

test('asking after a refund that was never requested is refused for a person', async (t) => {
  const { adapter } = await shop(t);

  const status = await adapter.refundStatus(refund(), KEY);

  assert.equal(status.outcome, 'refused');
});

test('the refund write-back sends nothing: the refund Shopify made is already on its order', async (t) => {
  const { simulator, adapter } = await shop(t);

  const answer = await adapter.writeBackRefund({ ...refund(), reference: 'x' }, 'refund-writeback:1');

  assert.equal(answer.outcome, 'delivered');
  assert.equal(simulator.server.received.length, 0);
});
