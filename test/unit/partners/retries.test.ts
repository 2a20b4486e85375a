/** A partner that is busy, failing or silent is retried, after the wait it asked for; nothing is lost meanwhile. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createWebhookTarget } from '../../../src/activities/partners/webhook';
import type { WebhookTarget } from '../../../src/activities/partners/types';
import { startWebhookReceiver, type WebhookReceiver } from '../../../scripts/lib/partners/webhookReceiver';
import { newSecret } from './helpers';

const secret = newSecret();
let partner: WebhookReceiver;
let target: WebhookTarget;

before(async () => {
  partner = await startWebhookReceiver({ secrets: [secret] });
  target = createWebhookTarget({ url: `${partner.server.url}/hooks` }, { signingSecrets: [secret], timeoutMs: 300 });
});
after(() => partner.server.stop());

test('429 with Retry-After: 2 is retried after 2000 ms', async () => {
  partner.server.script('/hooks', { status: 429, headers: { 'retry-after': '2' }, body: { message: 'slow down' } });

  const answer = await target.post('alert.raised', {}, 'retry:429');

  assert.deepEqual(answer, {
    outcome: 'retry',
    status: 429,
    excerpt: '{"message":"slow down"}',
    reason: 'HTTP 429 (rate limited)',
    retryAfterMs: 2000,
  });
});

test('429 with Retry-After as an HTTP date is retried after the time until then', async () => {
  const until = new Date(Date.now() + 5000);
  partner.server.script('/hooks', { status: 429, headers: { 'retry-after': until.toUTCString() } });

  const answer = await target.post('alert.raised', {}, 'retry:date');

  assert.equal(answer.outcome, 'retry');
  const wait = answer.outcome === 'retry' ? (answer.retryAfterMs ?? -1) : -1;
  // The header has whole seconds: up to a second less than asked, never more.
  assert.ok(wait > 3500 && wait <= 5000, `waited ${wait} ms`);
});

test('500 is retried, and the retry with the same key is delivered once', async () => {
  partner.server.script('/hooks', { status: 500, body: 'internal error' });

  const first = await target.post('alert.raised', { n: 1 }, 'retry:500');
  const second = await target.post('alert.raised', { n: 1 }, 'retry:500');

  assert.deepEqual([first.outcome, first.status, second.outcome], ['retry', 500, 'delivered']);
  assert.deepEqual(partner.events('alert.raised').filter((event) => event.id === 'retry:500').length, 1);
});

test('a partner that never answers is retried once the timeout passes', async () => {
  partner.server.script('/hooks', { hang: true });
  const started = Date.now();

  const answer = await target.post('alert.raised', {}, 'retry:hang');

  const took = Date.now() - started;
  assert.deepEqual(answer, { outcome: 'retry', excerpt: '', reason: 'no answer within 300 ms' });
  assert.ok(took >= 290 && took < 2000, `took ${took} ms`);
  assert.equal(partner.server.receivedOn('/hooks').at(-1)?.headers['webhook-id'], 'retry:hang');
});

test('an unreachable partner is retried as a network error', async () => {
  const gone = await startWebhookReceiver({ secrets: [secret] });
  await gone.server.stop();

  const answer = await createWebhookTarget({ url: gone.server.url }, { signingSecrets: [secret], timeoutMs: 300 }).post(
    'alert.raised',
    {},
    'retry:gone',
  );

  assert.equal(answer.outcome, 'retry');
  assert.match(answer.outcome === 'retry' ? answer.reason : '', /^network error/);
});
