/** The generic reading of a partner's HTTP answer: what is delivered, what is retried and after how long, what is refused and why. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify, reasonOf, retryAfterMs } from '../../../src/activities/partners/http';

const answer = (status: number, text = '', headers: Record<string, string> = {}) => ({ status, text, headers: new Headers(headers) });

test('Retry-After in seconds is read as milliseconds', () => {
  assert.equal(retryAfterMs('2'), 2000);
  assert.equal(retryAfterMs('0.5'), 500);
  assert.equal(retryAfterMs('0'), 0);
});

test('Retry-After as an HTTP date is the time until then, never negative', () => {
  const now = Date.parse('2025-03-01T08:00:00Z');
  assert.equal(retryAfterMs('Sat, 01 Mar 2025 08:00:30 GMT', now), 30_000);
  assert.equal(retryAfterMs('Sat, 01 Mar 2025 07:59:00 GMT', now), 0);
});

test('a missing or unreadable Retry-After asks for nothing', () => {
  assert.equal(retryAfterMs(null), undefined);
  assert.equal(retryAfterMs(''), undefined);
  assert.equal(retryAfterMs('soon'), undefined);
  assert.equal(retryAfterMs('-5'), undefined, 'a negative number is not a date in 2001');
});

test("the reason is the partner's own message in the usual JSON error fields", () => {
  assert.equal(reasonOf('{"message":"order cancelled"}'), 'order cancelled');
  assert.equal(reasonOf('{"error":{"message":"unknown order"}}'), 'unknown order');
  assert.equal(reasonOf('{"code":40001,"msg":"签名错误"}'), '签名错误');
  assert.equal(reasonOf('{"error_description":"token expired","error":"invalid_grant"}'), 'token expired');
});

test('without a JSON reason, the reason is the start of the body on one line', () => {
  assert.equal(reasonOf('<html>\n  Bad   Gateway\n</html>'), '<html> Bad Gateway </html>');
  assert.equal(reasonOf('{"code":1}'), '{"code":1}');
  assert.equal(reasonOf(''), 'no reason given');
  assert.equal(reasonOf('x'.repeat(1000)).length, 300);
});

test('every 2xx is delivered with the start of its body', () => {
  assert.deepEqual(classify(answer(200, '{"ok":\n true}')), { outcome: 'delivered', status: 200, excerpt: '{"ok": true}' });
  assert.equal(classify(answer(204)).outcome, 'delivered');
});

test('429 is retried after the wait the partner asked for', () => {
  const read = classify(answer(429, '', { 'retry-after': '3' }));
  assert.deepEqual(read, { outcome: 'retry', status: 429, excerpt: '', reason: 'HTTP 429 (rate limited)', retryAfterMs: 3000 });
});

test('408, 425 and 5xx are retried; without Retry-After no wait is asked', () => {
  for (const status of [408, 425, 500, 502, 503, 504]) {
    const read = classify(answer(status, 'busy'));
    assert.equal(read.outcome, 'retry', `HTTP ${status}`);
    assert.equal('retryAfterMs' in read, false, `HTTP ${status}`);
  }
});

test('every other status is refused for good, with the reason the partner gave', () => {
  assert.deepEqual(classify(answer(422, '{"message":"order cancelled"}')), {
    outcome: 'refused',
    status: 422,
    excerpt: '{"message":"order cancelled"}',
    reason: 'HTTP 422: order cancelled',
  });
  for (const status of [301, 400, 401, 403, 404, 409]) assert.equal(classify(answer(status)).outcome, 'refused', `HTTP ${status}`);
});
