/** Douyin shop (抖店) write-back over real loopback HTTP to the simulated open platform. */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { createDouyinAdapter } from '../../../src/activities/partners/channels/douyin';
import type { ShipmentWriteBack } from '../../../src/activities/partners/types';
import { startDouyin } from '../../../scripts/lib/partners/douyin';

const APP = { appKey: '7100000000000000001', appSecret: 'app-secret-1', accessToken: 'token-abc' };
const PATH = '/order/logisticsAddSinglePack';

async function platform(t: TestContext, appSecret = APP.appSecret) {
  const simulator = await startDouyin(APP);
  t.after(() => simulator.server.stop());
  simulator.addOrder({
    orderId: '4782813149182887526',
    subOrders: [
      { id: '4782813149182887527', quantity: 2 },
      { id: '4782813149182887528', quantity: 1 },
    ],
  });
  const adapter = createDouyinAdapter(
    { adapter: 'douyin', baseUrl: simulator.server.url, ...APP, appSecret, companyCodes: { SF: 'shunfeng' } },
    { timeoutMs: 1000 },
  );
  return { simulator, adapter };
}

function parcel(overrides: Partial<ShipmentWriteBack> = {}): ShipmentWriteBack {
  return {
    orderId: 'douyin-4782813149182887526',
    channel: 'douyin',
    channelOrderId: '4782813149182887526',
    shipmentId: 'S1',
    carrier: 'SF',
    trackingNumber: 'SF1231231231234',
    lines: [{ lineId: '4782813149182887527', sku: 'TEA-01', quantity: 2 }],
    ...overrides,
  };
}

test('a signed write-back ships one parcel with our tracking number and only our sub-orders', async (t) => {
  const { simulator, adapter } = await platform(t);

  const answer = await adapter.writeBackShipment(parcel(), 'wb-S1');

  assert.deepEqual(answer, { outcome: 'delivered', status: 200, excerpt: answer.excerpt, reference: '1' });
  assert.deepEqual(simulator.writeBacks('4782813149182887526'), [
    {
      packId: '1',
      requestId: 'wb-S1',
      logisticsCode: 'SF1231231231234',
      companyCode: 'shunfeng',
      subOrders: [{ id: '4782813149182887527', quantity: 2 }],
    },
  ]);
  const [request] = simulator.server.received;
  const query = new URL(request!.path, 'http://x').searchParams;
  assert.equal(new URL(request!.path, 'http://x').pathname, PATH);
  assert.deepEqual([...query.keys()].sort(), ['access_token', 'app_key', 'method', 'sign', 'sign_method', 'timestamp', 'v']);
  assert.equal(query.get('method'), 'order.logisticsAddSinglePack');
  assert.equal(query.get('sign_method'), 'hmac-sha256');
  assert.match(query.get('sign') ?? '', /^[0-9a-f]{64}$/);
  assert.equal(
    request!.rawBody,
    '{"company_code":"shunfeng","logistics_code":"SF1231231231234","order_id_list":["4782813149182887526"],' +
      '"request_id":"wb-S1","shipped_order_info":[{"shipped_num":2,"shipped_order_id":"4782813149182887527"}]}',
    'param_json is sent with its keys sorted, as signed',
  );
});

test("a split order's two parcels are two write-backs, each with its own sub-orders", async (t) => {
  const { simulator, adapter } = await platform(t);

  await adapter.writeBackShipment(parcel(), 'wb-S1');
  await adapter.writeBackShipment(
    parcel({ shipmentId: 'S2', trackingNumber: 'SF777', lines: [{ lineId: '4782813149182887528', sku: 'CUP-01', quantity: 1 }] }),
    'wb-S2',
  );

  assert.deepEqual(
    simulator.writeBacks('4782813149182887526').map((w) => [w.logisticsCode, w.subOrders]),
    [
      ['SF1231231231234', [{ id: '4782813149182887527', quantity: 2 }]],
      ['SF777', [{ id: '4782813149182887528', quantity: 1 }]],
    ],
  );
});

test('a request signed with a tampered secret is refused by the platform', async (t) => {
  const { simulator, adapter } = await platform(t, 'not-the-secret');

  const answer = await adapter.writeBackShipment(parcel(), 'wb-S1');

  assert.equal(answer.outcome, 'refused');
  assert.equal(answer.outcome === 'refused' && answer.reason, '签名校验失败 (40003 isv.signature-invalid)');
  assert.equal(simulator.writeBacks('4782813149182887526').length, 0);
});

test('HTTP 429 with Retry-After is retried after the wait the platform asked for', async (t) => {
  const { simulator, adapter } = await platform(t);
  simulator.server.script(PATH, { status: 429, headers: { 'retry-after': '7' }, body: { message: 'Too Many Requests' } });

  const limited = await adapter.writeBackShipment(parcel(), 'wb-S1');
  const delivered = await adapter.writeBackShipment(parcel(), 'wb-S1');

  assert.equal(limited.outcome, 'retry');
  assert.equal(limited.outcome === 'retry' && limited.retryAfterMs, 7000);
  assert.equal(delivered.outcome, 'delivered');
  assert.equal(simulator.writeBacks('4782813149182887526').length, 1);
});

test("the platform's rate-limit code is retried", async (t) => {
  const { simulator, adapter } = await platform(t);
  simulator.server.script(PATH, { status: 200, body: { code: 60000, msg: '触发限流，请稍后重试', sub_code: '', sub_msg: '' } });

  const answer = await adapter.writeBackShipment(parcel(), 'wb-S1');

  assert.equal(answer.outcome, 'retry');
  assert.equal(simulator.writeBacks('4782813149182887526').length, 0);
});

test('a parcel shipped but whose answer was lost ships once: the retry gets the first answer back', async (t) => {
  const { simulator, adapter } = await platform(t);
  simulator.server.script(PATH, { handleThenDrop: true });

  const lost = await adapter.writeBackShipment(parcel(), 'wb-S1');
  const retried = await adapter.writeBackShipment(parcel(), 'wb-S1');

  assert.equal(lost.outcome, 'retry');
  assert.equal(retried.outcome === 'delivered' && retried.reference, '1');
  const received = simulator.server.received.map((r) => (r.body as any).request_id);
  assert.deepEqual(received, ['wb-S1', 'wb-S1'], 'both attempts carried the same request_id');
  assert.equal(simulator.writeBacks('4782813149182887526').length, 1);
});

test('a different request_id for sub-orders already shipped is refused, not shipped twice', async (t) => {
  const { simulator, adapter } = await platform(t);

  await adapter.writeBackShipment(parcel(), 'wb-S1');
  const again = await adapter.writeBackShipment(parcel(), 'wb-other');

  assert.equal(again.outcome, 'refused');
  assert.match(again.outcome === 'refused' ? again.reason : '', /订单已发货/);
  assert.equal(simulator.writeBacks('4782813149182887526').length, 1);
});

test("an error is refused with the platform's sub_msg", async (t) => {
  const { simulator, adapter } = await platform(t);
  simulator.cancelOrder('4782813149182887526');

  const answer = await adapter.writeBackShipment(parcel(), 'wb-S1');

  assert.equal(answer.outcome === 'refused' && answer.reason, '订单已取消，不支持发货 (50002 isv.business-failed:60021)');
});

test('a busy order is retried, as the write-back docs advise', async (t) => {
  const { simulator, adapter } = await platform(t);
  simulator.server.script(PATH, {
    status: 200,
    body: { code: 50002, msg: '业务处理失败', sub_code: 'isv.business-failed:70011', sub_msg: '当前订单存在处理中流程，请稍后重试' },
  });

  const answer = await adapter.writeBackShipment(parcel(), 'wb-S1');

  assert.equal(answer.outcome, 'retry');
});
