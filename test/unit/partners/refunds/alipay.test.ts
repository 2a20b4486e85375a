/** Alipay refunds over real loopback HTTP to the simulated gateway: signed both ways, one refund per key however often asked. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { createAlipayAdapter, outRequestNoOf } from '../../../../src/activities/partners/payments/alipay';
import type { RefundRequest } from '../../../../src/activities/partners/types';
import { ALIPAY_GATEWAY_PATH, startAlipay } from '../../../../scripts/lib/partners/alipay';

const APP_ID = '2021000000000001';
const pem = (pair: ReturnType<typeof generateKeyPairSync>) => ({
  privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
});
const app = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }));
const stranger = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }));
const KEY = 'payment:refund:website-W1001:cancellation';

async function gateway(t: TestContext, keys: { privateKeyPem?: string; alipayPublicKeyPem?: string } = {}, timeoutMs = 2000) {
  const simulator = await startAlipay({ appId: APP_ID, appPublicKeyPem: app.publicKeyPem });
  t.after(() => simulator.server.stop());
  simulator.addTrade({ outTradeNo: 'W1001', totalMinor: 9900, tradeNo: '2025010122001400000000000001' });
  const adapter = createAlipayAdapter(
    {
      adapter: 'alipay',
      gatewayUrl: simulator.gatewayUrl,
      appId: APP_ID,
      privateKeyPem: keys.privateKeyPem ?? app.privateKeyPem,
      alipayPublicKeyPem: keys.alipayPublicKeyPem ?? simulator.alipayPublicKeyPem,
    },
    { timeoutMs },
  );
  return { simulator, adapter };
}

function refund(overrides: Partial<RefundRequest> = {}): RefundRequest {
  return {
    orderId: 'website-W1001',
    channel: 'website',
    channelOrderId: 'W1001',
    amountMinor: 1230,
    reason: 'order cancelled',
    cause: 'cancellation',
    lines: [],
    ...overrides,
  };
}

const formOf = (rawBody: string) => Object.fromEntries(new URLSearchParams(rawBody));

test('a refund is one signed alipay.trade.refund, and its signed answer verifies', async (t) => {
  const { simulator, adapter } = await gateway(t);

  const answer = await adapter.requestRefund(refund(), KEY);

  const outRequestNo = outRequestNoOf(KEY);
  assert.deepEqual(answer, { outcome: 'delivered', status: 200, excerpt: answer.excerpt, reference: outRequestNo });
  assert.deepEqual(simulator.refunds(), [
    { outTradeNo: 'W1001', outRequestNo, amountMinor: 1230, reason: 'order cancelled', settled: false },
  ]);
  const [request] = simulator.server.received;
  assert.equal(request?.path, ALIPAY_GATEWAY_PATH);
  assert.match(request?.headers['content-type'] ?? '', /^application\/x-www-form-urlencoded/);
  const form = formOf(request!.rawBody);
  assert.deepEqual(Object.keys(form).sort(), [
    'app_id',
    'biz_content',
    'charset',
    'format',
    'method',
    'sign',
    'sign_type',
    'timestamp',
    'version',
  ]);
  assert.deepEqual(
    [form.method, form.format, form.charset, form.sign_type, form.version],
    ['alipay.trade.refund', 'JSON', 'utf-8', 'RSA2', '1.0'],
  );
  assert.match(form.timestamp ?? '', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  assert.deepEqual(JSON.parse(form.biz_content ?? ''), {
    out_trade_no: 'W1001',
    out_request_no: outRequestNo,
    refund_amount: '12.30',
    refund_reason: 'order cancelled',
  });
});

test('out_request_no is the key itself when plain, else a stable digest of it within 64 characters', () => {
  assert.equal(outRequestNoOf('RF_cancel_1001'), 'RF_cancel_1001');
  assert.equal(outRequestNoOf(KEY), outRequestNoOf(KEY));
  assert.match(outRequestNoOf(KEY), /^RF[0-9a-f]{40}$/);
  assert.notEqual(outRequestNoOf(KEY), outRequestNoOf(`${KEY}x`));
});

test('the same refund retried after its answer was lost pays once', async (t) => {
  const { simulator, adapter } = await gateway(t);
  simulator.server.script(ALIPAY_GATEWAY_PATH, { handleThenDrop: true });

  const lost = await adapter.requestRefund(refund(), KEY);
  const retried = await adapter.requestRefund(refund(), KEY);

  assert.equal(lost.outcome, 'retry');
  assert.equal(retried.outcome, 'delivered');
  assert.match(retried.excerpt, /"fund_change":"N"/, 'Alipay answered the repeat without moving money');
  const outRequestNo = outRequestNoOf(KEY);
  assert.deepEqual([simulator.calls(outRequestNo), simulator.effects(outRequestNo)], [2, 1]);
  assert.equal(simulator.refunds('W1001').length, 1);
});

test("Alipay's system error is retried, and the retry refunds once", async (t) => {
  const { simulator, adapter } = await gateway(t);
  simulator.systemErrorNext(1);

  const failed = await adapter.requestRefund(refund(), KEY);
  const retried = await adapter.requestRefund(refund(), KEY);

  assert.equal(failed.outcome, 'retry');
  assert.equal(failed.outcome === 'retry' && failed.reason, '系统错误 (40004 ACQ.SYSTEM_ERROR)');
  assert.equal(retried.outcome, 'delivered');
  assert.equal(simulator.refunds().length, 1);
});

test('HTTP 500 and a gateway that never answers are retried', async (t) => {
  const { simulator, adapter } = await gateway(t, {}, 300);
  simulator.server.script(ALIPAY_GATEWAY_PATH, { status: 500, body: 'Internal Server Error' }, { hang: true });

  const down = await adapter.requestRefund(refund(), KEY);
  const silent = await adapter.requestRefund(refund(), KEY);

  assert.deepEqual([down.outcome, silent.outcome], ['retry', 'retry']);
  assert.equal(simulator.refunds().length, 0);
});

test("a closed trade is refused for good with Alipay's words", async (t) => {
  const { simulator, adapter } = await gateway(t);
  simulator.closeTrade('W1001');

  const answer = await adapter.requestRefund(refund(), KEY);

  assert.equal(answer.outcome, 'refused');
  assert.equal(answer.outcome === 'refused' && answer.reason, '交易已经关闭 (40004 ACQ.TRADE_HAS_CLOSE)');
  assert.equal(simulator.refunds().length, 0);
});

test('refunding more than was paid is refused', async (t) => {
  const { simulator, adapter } = await gateway(t);

  const answer = await adapter.requestRefund(refund({ amountMinor: 9901 }), KEY);

  assert.equal(answer.outcome === 'refused' && answer.reason, '退款金额无效 (40004 ACQ.REASON_TRADE_REFUND_FEE_ERR)');
  assert.equal(simulator.refunds().length, 0);
});

test('the payment reference, when known, is the trade refunded', async (t) => {
  const { simulator, adapter } = await gateway(t);
  simulator.addTrade({ outTradeNo: 'PAY-77', totalMinor: 500 });

  const answer = await adapter.requestRefund(refund({ paymentReference: 'PAY-77', amountMinor: 5 }), KEY);

  assert.equal(answer.outcome, 'delivered');
  assert.deepEqual(
    simulator.refunds().map((r) => [r.outTradeNo, r.amountMinor]),
    [['PAY-77', 5]],
  );
  assert.equal(JSON.parse(formOf(simulator.server.received[0]!.rawBody).biz_content ?? '').refund_amount, '0.05');
});

test('the settlement check reports pending, then settled once Alipay has paid', async (t) => {
  const { simulator, adapter } = await gateway(t);
  await adapter.requestRefund(refund(), KEY);

  const before = await adapter.refundStatus(refund(), KEY);
  simulator.settle(outRequestNoOf(KEY));
  const after = await adapter.refundStatus(refund(), KEY);

  assert.equal(before.outcome === 'answered' && before.state, 'pending');
  assert.equal(after.outcome === 'answered' && after.state, 'settled');
  assert.equal(after.outcome === 'answered' && after.reference, outRequestNoOf(KEY));
  const form = formOf(simulator.server.received.at(-1)!.rawBody);
  assert.equal(form.method, 'alipay.trade.fastpay.refund.query');
  assert.deepEqual(JSON.parse(form.biz_content ?? ''), { out_trade_no: 'W1001', out_request_no: outRequestNoOf(KEY) });
});

test('a refund settles by itself after the configured delay', async (t) => {
  const simulator = await startAlipay({ appId: APP_ID, appPublicKeyPem: app.publicKeyPem, settleAfterMs: 50 });
  t.after(() => simulator.server.stop());
  simulator.addTrade({ outTradeNo: 'W1001', totalMinor: 9900 });
  const adapter = createAlipayAdapter(
    { adapter: 'alipay', gatewayUrl: simulator.gatewayUrl, appId: APP_ID, privateKeyPem: app.privateKeyPem },
    { timeoutMs: 2000 },
  );
  await adapter.requestRefund(refund(), KEY);

  await new Promise((resolve) => setTimeout(resolve, 100));
  const status = await adapter.refundStatus(refund(), KEY);

  assert.equal(status.outcome === 'answered' && status.state, 'settled');
});

test('an answer that does not verify with the configured Alipay key is refused', async (t) => {
  const { adapter } = await gateway(t, { alipayPublicKeyPem: stranger.publicKeyPem });

  const answer = await adapter.requestRefund(refund(), KEY);

  assert.equal(answer.outcome === 'refused' && answer.reason, "Alipay's answer does not verify with the configured Alipay public key");
});

test('a request signed with a key Alipay does not know is refused by the gateway, and nothing is refunded', async (t) => {
  const { simulator, adapter } = await gateway(t, { privateKeyPem: stranger.privateKeyPem });

  const answer = await adapter.requestRefund(refund(), KEY);

  assert.equal(answer.outcome === 'refused' && answer.reason, '验签出错 (40002 isv.invalid-signature)');
  assert.equal(simulator.refunds().length, 0);
});

test("the bare base64 keys Alipay's console hands out are accepted", async (t) => {
  const bare = (text: string) => text.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const simulator = await startAlipay({ appId: APP_ID, appPublicKeyPem: app.publicKeyPem });
  t.after(() => simulator.server.stop());
  simulator.addTrade({ outTradeNo: 'W1001', totalMinor: 9900 });
  const adapter = createAlipayAdapter(
    {
      adapter: 'alipay',
      gatewayUrl: simulator.gatewayUrl,
      appId: APP_ID,
      privateKeyPem: bare(app.privateKeyPem),
      alipayPublicKeyPem: bare(simulator.alipayPublicKeyPem),
    },
    { timeoutMs: 2000 },
  );

  assert.equal((await adapter.requestRefund(refund(), KEY)).outcome, 'delivered');
});
