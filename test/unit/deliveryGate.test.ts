/**
 * One partner's storm does not starve the others: a partner that asked to wait, or has its limit of calls in flight,
 * is not called (the attempt is retried later), while calls to every other partner go through.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createDeliverer } from '../../src/activities/delivery';
import type { ActivityDeps } from '../../src/activities/deps';
import type { PartnerAnswer } from '../../src/activities/partners/types';
import type { DeliveryIntent } from '../../src/db/deliveries';
import { createLogger } from '../../src/logging';

/** Dependencies whose deliveries log only counts what it was asked to record: this test is about the gate. */
function depsWith(maxInFlightPerPartner: number) {
  const recorded: string[] = [];
  const deps = {
    stores: {
      deliveries: {
        recordAttempt: async (intent: DeliveryIntent, result: { state: string }) => void recorded.push(`${intent.key}:${result.state}`),
        byKey: async () => undefined,
      },
    },
    logger: createLogger('silent', 'gate'),
    partners: {},
    partnerLimits: { maxInFlightPerPartner },
  } as unknown as ActivityDeps;
  return { deps, recorded };
}

const intent = (key: string, id: string): DeliveryIntent => ({ key, partner: { kind: 'channel', id }, kind: 'shipmentWriteBack' });
const delivered: PartnerAnswer = { outcome: 'delivered', status: 200, excerpt: '' };

test('a partner at its in-flight limit is not called again, and another partner is', async () => {
  const { deps } = depsWith(1);
  const deliver = createDeliverer(deps);
  let release!: () => void;
  const hanging = deliver(intent('a-1', 'slowshop'), () => new Promise<PartnerAnswer>((resolve) => (release = () => resolve(delivered))));
  let called = false;
  await assert.rejects(
    deliver(intent('a-2', 'slowshop'), async () => {
      called = true;
      return delivered;
    }),
    (error: unknown) => error instanceof ApplicationFailure && error.type === 'PartnerRetry' && error.nextRetryDelay === 1000,
  );
  assert.equal(called, false, 'the busy partner was not called a second time');
  assert.deepEqual(await deliver(intent('b-1', 'fastshop'), async () => delivered), { delivered: true, key: 'b-1', reference: undefined });
  release();
  assert.equal((await hanging).delivered, true);
});

test('a partner that asked to wait is not called until the wait is over; the others are', async () => {
  const { deps, recorded } = depsWith(8);
  const deliver = createDeliverer(deps);
  const throttled: PartnerAnswer = { outcome: 'retry', status: 429, excerpt: '', reason: 'HTTP 429', retryAfterMs: 60_000 };
  await assert.rejects(
    deliver(intent('a-1', 'stormy'), async () => throttled),
    (error: unknown) => (error as ApplicationFailure).nextRetryDelay === 60_000,
  );
  let called = false;
  await assert.rejects(
    deliver(intent('a-2', 'stormy'), async () => {
      called = true;
      return delivered;
    }),
    (error: unknown) => {
      const wait = Number((error as ApplicationFailure).nextRetryDelay);
      return wait > 59_000 && wait <= 60_000;
    },
  );
  assert.equal(called, false, 'the partner that asked to wait was left alone');
  assert.equal((await deliver(intent('b-1', 'calm'), async () => delivered)).delivered, true);
  assert.deepEqual(recorded, ['a-1:pending', 'b-1:delivered'], 'a call not made is not an attempt');
});

test('a refusal for good is answered, not thrown, with the partner reason; a partner with no endpoint is refused', async () => {
  const { deps } = depsWith(8);
  const deliver = createDeliverer(deps);
  const refused: PartnerAnswer = {
    outcome: 'refused',
    status: 422,
    excerpt: '{"message":"order cancelled"}',
    reason: 'HTTP 422: order cancelled',
  };
  assert.deepEqual(await deliver(intent('c-1', 'shop'), async () => refused), {
    delivered: false,
    key: 'c-1',
    partner: { kind: 'channel', id: 'shop' },
    reason: 'HTTP 422: order cancelled',
  });
  const none = await deliver(intent('c-2', 'nowhere'), undefined);
  assert.equal(none.delivered, false);
  assert.match(none.delivered ? '' : none.reason, /no endpoint is configured for channel:nowhere/);
});
