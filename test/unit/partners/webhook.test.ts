/** The generic signed webhook against a real Standard Webhooks receiver on loopback. */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { createWebhookTarget } from '../../../src/activities/partners/webhook';
import { startWebhookReceiver, type WebhookReceiver } from '../../../scripts/lib/partners/webhookReceiver';
import { newSecret } from './helpers';

const receivers: WebhookReceiver[] = [];
after(() => Promise.all(receivers.map((receiver) => receiver.server.stop())));

async function receiver(secrets: string[]): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver({ secrets });
  receivers.push(started);
  return started;
}

test('an event arrives signed, as JSON { type, timestamp, data }, with our key as its webhook-id', async () => {
  const secret = newSecret();
  const partner = await receiver([secret]);
  const target = createWebhookTarget({ url: `${partner.server.url}/hooks` }, { signingSecrets: [secret], timeoutMs: 2000 });

  const answer = await target.post('refund.requested', { orderId: 'o-1', amount: 1999 }, 'refund:o-1');

  assert.equal(answer.outcome, 'delivered');
  const [request] = partner.server.received;
  assert.equal(request?.path, '/hooks');
  assert.equal(request?.headers['content-type'], 'application/json');
  assert.equal(request?.headers['user-agent'], 'OrderHub/1');
  assert.equal(request?.headers['webhook-id'], 'refund:o-1');
  assert.ok(Math.abs(Number(request?.headers['webhook-timestamp']) - Date.now() / 1000) < 5);
  assert.deepEqual(new Webhook(secret).verify(request?.rawBody ?? '', request?.headers ?? {}), request?.body);
  const body = request?.body as { type: string; timestamp: string; data: unknown };
  assert.equal(body.type, 'refund.requested');
  assert.ok(!Number.isNaN(Date.parse(body.timestamp)));
  assert.deepEqual(partner.events(), [
    { id: 'refund:o-1', type: 'refund.requested', data: { orderId: 'o-1', amount: 1999 }, receivedAt: request?.at },
  ]);
});

test('during a rotation one request verifies at a receiver holding only the old secret and at one holding only the new', async () => {
  const [newest, old] = [newSecret(), newSecret()];
  const onOld = await receiver([old]);
  const onNew = await receiver([newest]);
  const options = { signingSecrets: [newest, old], timeoutMs: 2000 };

  const answers = await Promise.all([
    createWebhookTarget({ url: onOld.server.url }, options).post('alert.raised', { code: 'HOLD' }, 'alert:1'),
    createWebhookTarget({ url: onNew.server.url }, options).post('alert.raised', { code: 'HOLD' }, 'alert:1'),
  ]);

  assert.deepEqual(
    answers.map((answer) => answer.outcome),
    ['delivered', 'delivered'],
  );
  assert.equal(onOld.server.received[0]?.headers['webhook-signature']?.split(' ').length, 2);
  assert.equal(onOld.events().length, 1);
  assert.equal(onNew.events().length, 1);
});

test("an endpoint's own secrets replace the hub's", async () => {
  const [hub, own] = [newSecret(), newSecret()];
  const partner = await receiver([own]);

  const answer = await createWebhookTarget({ url: partner.server.url, secrets: [own] }, { signingSecrets: [hub], timeoutMs: 2000 }).post(
    'alert.raised',
    {},
    'alert:2',
  );

  assert.equal(answer.outcome, 'delivered');
  assert.equal(partner.server.received[0]?.headers['webhook-signature']?.split(' ').length, 1);
});

test('a receiver holding a different secret answers 401, and that is refused', async () => {
  const partner = await receiver([newSecret()]);

  const answer = await createWebhookTarget({ url: partner.server.url }, { signingSecrets: [newSecret()], timeoutMs: 2000 }).post(
    'alert.raised',
    {},
    'alert:3',
  );

  assert.equal(answer.outcome, 'refused');
  assert.equal(answer.status, 401);
  assert.match(answer.outcome === 'refused' ? answer.reason : '', /^HTTP 401: signature rejected/);
  assert.equal(partner.events().length, 0);
});

test('the same key twice is one event at the receiver, and both deliveries are acknowledged', async () => {
  const secret = newSecret();
  const partner = await receiver([secret]);
  const target = createWebhookTarget({ url: partner.server.url }, { signingSecrets: [secret], timeoutMs: 2000 });

  const first = await target.post('supplier.order_placed', { orderId: 'o-2' }, 'dropship:o-2');
  const second = await target.post('supplier.order_placed', { orderId: 'o-2' }, 'dropship:o-2');

  assert.deepEqual([first.outcome, second.outcome], ['delivered', 'delivered']);
  assert.equal(partner.server.received.length, 2);
  assert.deepEqual(
    partner.events().map((event) => event.id),
    ['dropship:o-2'],
  );
});

test('422 "order cancelled" is refused with the partner\'s reason', async () => {
  const secret = newSecret();
  const partner = await receiver([secret]);
  partner.refuse((event) =>
    (event.data as { orderId?: string }).orderId === 'o-3' ? { status: 422, message: 'order cancelled' } : undefined,
  );
  const target = createWebhookTarget({ url: partner.server.url }, { signingSecrets: [secret], timeoutMs: 2000 });

  const refused = await target.post('supplier.order_placed', { orderId: 'o-3' }, 'dropship:o-3');
  const other = await target.post('supplier.order_placed', { orderId: 'o-4' }, 'dropship:o-4');

  assert.deepEqual(refused, {
    outcome: 'refused',
    status: 422,
    excerpt: '{"message":"order cancelled"}',
    reason: 'HTTP 422: order cancelled',
  });
  assert.equal(other.outcome, 'delivered');
  assert.deepEqual(
    partner.events().map((event) => event.id),
    ['dropship:o-4'],
  );
});
