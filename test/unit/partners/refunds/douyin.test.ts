/** Douyin shop (抖店) refunds over real loopback HTTP to the simulated open platform: the buyer's after-sale approved once. */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { createDouyinAdapter } from '../../../../src/activities/partners/channels/douyin';
import type { RefundRequest } from '../../../../src/activities/partners/types';
import { startDouyin } from '../../../../scripts/lib/partners/douyin';

const APP = { appKey: '7100000000000000001', appSecret: 'app-secret-1', accessToken: 'token-abc' };
const ORDER = '4782813149182887526';
const AFTER_SALE = '7300000000000000123';
const KEY = 'refund:douyin-4782813149182887526:return:RMA-7';

async function platform(t: TestContext) {
  const simulator = await startDouyin(APP);
  t.after(() => simulator.server.stop());
  simulator.addOrder({ orderId: ORDER, subOrders: [{ id: '4782813149182887527', quantity: 2 }] });
  simulator.addAfterSale({ afterSaleId: AFTER_SALE, orderId: ORDER, skuOrderId: '4782813149182887527', amountMinor: 3900 });
  const adapter = createDouyinAdapter({ adapter: 'douyin', baseUrl: simulator.server.url, ...APP, companyCodes: {} }, { timeoutMs: 1000 });
  return { simulator, adapter };
}

function refund(overrides: Partial<RefundRequest> = {}): RefundRequest {
  return {
    orderId: `douyin-${ORDER}`,
    channel: 'douyin',
    channelOrderId: ORDER,
    channelRefundId: AFTER_SALE,
    amountMinor: 3900,
    reason: 'damaged on arrival',
    cause: 'return:RMA-7',
    lines: [{ lineId: '4782813149182887527', sku: 'TEA-01', quantity: 1 }],
    ...overrides,
  };
}

const operations = (simulator: Awaited<ReturnType<typeof platform>>['simulator']) => simulator.server.receivedOn('/afterSale/operate');

test("a refund reads the buyer's after-sale, then approves it with a signed afterSale.operate", async (t) => {
  const { simulator, adapter } = await platform(t);

  const answer = await adapter.requestRefund(refund(), KEY);

  assert.deepEqual(answer, { outcome: 'delivered', status: 200, excerpt: answer.excerpt, reference: AFTER_SALE });
  assert.deepEqual(
    simulator.server.received.map((r) => new URL(r.path, 'http://x').pathname),
    ['/afterSale/Detail', '/afterSale/operate'],
  );
  const [operate] = operations(simulator);
  const query = new URL(operate!.path, 'http://x').searchParams;
  assert.equal(query.get('method'), 'afterSale.operate');
  assert.match(query.get('sign') ?? '', /^[0-9a-f]{64}$/);
  assert.deepEqual(operate!.body, {
    items: [{ aftersale_id: AFTER_SALE, update_time: simulator.afterSale(AFTER_SALE)!.updateTime - 1 }],
    type: 201,
  });
  assert.equal(simulator.afterSale(AFTER_SALE)?.refundsPaid, 1);
});

test('an approval whose answer was lost is found by the retry, and the buyer is refunded once', async (t) => {
  const { simulator, adapter } = await platform(t);
  simulator.server.script('/afterSale/operate', { handleThenDrop: true });

  const lost = await adapter.requestRefund(refund(), KEY);
  const retried = await adapter.requestRefund(refund(), KEY);

  assert.equal(lost.outcome, 'retry');
  assert.equal(retried.outcome === 'delivered' && retried.reference, AFTER_SALE);
  assert.equal(operations(simulator).length, 1, 'the retry read the after-sale and did not approve it again');
  assert.equal(simulator.afterSale(AFTER_SALE)?.refundsPaid, 1);
});

test('a refund that names no after-sale is refused: on Douyin the buyer opens the refund', async (t) => {
  const { simulator, adapter } = await platform(t);

  const answer = await adapter.requestRefund(refund({ channelRefundId: undefined }), KEY);

  assert.equal(answer.outcome, 'refused');
  assert.equal(simulator.server.received.length, 0);
});

test('an after-sale asking another amount than the hub refunds is left to a person', async (t) => {
  const { simulator, adapter } = await platform(t);

  const answer = await adapter.requestRefund(refund({ amountMinor: 3000 }), KEY);

  assert.equal(
    answer.outcome === 'refused' && answer.reason,
    `after-sale ${AFTER_SALE} asks 3900 fen, the hub refunds 3000: a person decides in 抖店`,
  );
  assert.equal(operations(simulator).length, 0);
});

test("an after-sale of another order is refused, read from Douyin's unrounded 19-digit id", async (t) => {
  const { simulator, adapter } = await platform(t);

  const answer = await adapter.requestRefund(refund({ channelOrderId: '4782813149182887599' }), KEY);

  assert.equal(
    answer.outcome === 'refused' && answer.reason,
    `after-sale ${AFTER_SALE} belongs to order ${ORDER}, not 4782813149182887599`,
  );
  assert.equal(operations(simulator).length, 0);
});

test('the platform being busy is retried', async (t) => {
  const { simulator, adapter } = await platform(t);
  simulator.server.script('/afterSale/operate', {
    status: 200,
    body: { code: 20000, msg: '系统错误', sub_code: 'isp.service-error:10002', sub_msg: '返回内容为空' },
  });

  const busy = await adapter.requestRefund(refund(), KEY);
  const approved = await adapter.requestRefund(refund(), KEY);

  assert.deepEqual([busy.outcome, approved.outcome], ['retry', 'delivered']);
  assert.equal(simulator.afterSale(AFTER_SALE)?.refundsPaid, 1);
});

test('the settlement check reports pending until the platform has paid, then settled', async (t) => {
  const { simulator, adapter } = await platform(t);
  await adapter.requestRefund(refund(), KEY);

  const before = await adapter.refundStatus(refund(), KEY);
  simulator.settleRefund(AFTER_SALE);
  const after = await adapter.refundStatus(refund(), KEY);

  assert.equal(before.outcome === 'answered' && before.state, 'pending');
  assert.deepEqual(after.outcome === 'answered' && [after.state, after.reference], ['settled', AFTER_SALE]);
});

test('a refund the platform failed to pay reads as failed', async (t) => {
  const { simulator, adapter } = await platform(t);
  await adapter.requestRefund(refund(), KEY);
  simulator.settleRefund(AFTER_SALE, 'failed');

  const status = await adapter.refundStatus(refund(), KEY);

  assert.equal(status.outcome === 'answered' && status.state, 'failed');
});

test('the refund write-back sends nothing: the approved after-sale is the record', async (t) => {
  const { simulator, adapter } = await platform(t);

  const answer = await adapter.writeBackRefund({ ...refund(), reference: AFTER_SALE }, 'refund-writeback:1');

  assert.equal(answer.outcome, 'delivered');
  assert.equal(simulator.server.received.length, 0);
});
