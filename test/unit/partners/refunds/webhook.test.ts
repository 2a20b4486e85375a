/** Refunds over the generic signed webhook, for a channel or a payment provider: the documented refund.* contract. */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { createWebhookChannelAdapter } from '../../../../src/activities/partners/channels/webhook';
import { createWebhookRefunds } from '../../../../src/activities/partners/payments/webhook';
import type { RefundRequest } from '../../../../src/activities/partners/types';
import { startWebhookReceiver, type EventHandler } from '../../../../scripts/lib/partners/webhookReceiver';
import { newSecret } from '../helpers';

const KEY = 'payment:refund:tmall-T1:cancellation';

const refund: RefundRequest = {
  orderId: 'tmall-T1',
  channel: 'tmall',
  channelOrderId: 'T1',
  amountMinor: 2500,
  reason: 'order cancelled',
  cause: 'cancellation',
  lines: [{ lineId: 'l1', sku: 'TEA-250', quantity: 1 }],
};

async function receiver(t: TestContext, handler?: EventHandler) {
  const secret = newSecret();
  const started = await startWebhookReceiver({ secrets: [secret], ...(handler ? { handler } : {}) });
  t.after(() => started.server.stop());
  return { receiver: started, options: { signingSecrets: [secret], timeoutMs: 2000 } };
}

test('a refund is posted as refund.requested, and a retry with the same key is not a second refund', async (t) => {
  const { receiver: channel, options } = await receiver(t);
  const adapter = createWebhookChannelAdapter({ url: channel.server.url }, options);
  channel.server.script('/', { handleThenDrop: true });

  const lost = await adapter.requestRefund(refund, KEY);
  const retried = await adapter.requestRefund(refund, KEY);

  assert.deepEqual([lost.outcome, retried.outcome], ['retry', 'delivered']);
  assert.deepEqual(
    channel.events().map((event) => [event.id, event.type, event.data]),
    [[KEY, 'refund.requested', refund]],
  );
});

test("the status check posts refund.status and reads the receiver's state", async (t) => {
  const { receiver: provider, options } = await receiver(t, (event) =>
    event.type === 'refund.status'
      ? { status: 200, body: { state: 'settled', reference: 'PAY-R-1' } }
      : { status: 200, body: { ok: true } },
  );
  const adapter = createWebhookRefunds({ url: provider.server.url }, options);
  await adapter.requestRefund(refund, KEY);

  const first = await adapter.refundStatus(refund, KEY);
  const second = await adapter.refundStatus(refund, KEY);

  assert.deepEqual(first.outcome === 'answered' && [first.state, first.reference], ['settled', 'PAY-R-1']);
  assert.equal(second.outcome, 'answered');
  const questions = provider.events('refund.status');
  assert.equal(questions.length, 2, 'each question is its own message, so a deduping receiver answers it afresh');
  assert.equal((questions[0]?.data as { refundKey: string }).refundKey, KEY);
});

test('a status answer without a state is refused, a 503 retried', async (t) => {
  const { receiver: provider, options } = await receiver(t);
  const adapter = createWebhookRefunds({ url: provider.server.url }, options);
  provider.server.script('/', { status: 503, body: { message: 'busy' } });

  const busy = await adapter.refundStatus(refund, KEY);
  const mute = await adapter.refundStatus(refund, KEY);

  assert.equal(busy.outcome, 'retry');
  assert.equal(mute.outcome, 'refused');
});

test('a refund write-back is posted as refund.completed', async (t) => {
  const { receiver: channel, options } = await receiver(t);
  const adapter = createWebhookChannelAdapter({ url: channel.server.url }, options);

  const answer = await adapter.writeBackRefund({ ...refund, reference: 'PAY-R-1' }, 'refund:written-back:tmall-T1:cancellation');

  assert.equal(answer.outcome, 'delivered');
  assert.deepEqual(
    channel.events().map((event) => [event.type, (event.data as { reference: string }).reference]),
    [['refund.completed', 'PAY-R-1']],
  );
});
