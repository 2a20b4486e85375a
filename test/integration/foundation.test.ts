/** The wiring end to end: intake over signed HTTP → workflow → activity → database → GET, plus the API baseline. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { orderIdOf, orderWorkflowId } from '../../src/domain/order';
import { eventually, startHarness, type Harness } from './harness';
import { makeOrder } from '../fixtures/orders';

describe('foundation', () => {
  let hub: Harness;
  before(async () => { hub = await startHarness('foundation'); });
  after(async () => { await hub?.stop(); });

  test('a posted order starts its workflow, is written to the database, and reads back with its workflow status', async () => {
    const order = makeOrder();
    const orderId = orderIdOf(order.channel, order.channelOrderId);
    const posted = await hub.channel(order.channel, '/events', { type: 'snapshot', eventId: `${orderId}:created`, order });
    assert.equal(posted.status, 202);
    assert.equal(posted.body.orderId, orderId);
    assert.equal(posted.body.status, 'AWAITING_PAYMENT');

    const record = await eventually(() => hub.db.models.Order.findById(orderId).lean().then((r) => r ?? undefined), 'the read model');
    assert.equal(record.workflowId, orderWorkflowId(orderId));
    assert.equal(record.brand, order.brand);

    const read = await hub.ops('GET', `/v1/orders/${orderId}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.workflow.workflowId, `Order:${orderId}`);
    assert.equal(read.body.workflow.status, 'RUNNING');
    assert.equal(read.body.order.order.channelOrderId, order.channelOrderId);
  });

  test('posting the same order twice starts one workflow and answers both calls with the same order', async () => {
    const order = makeOrder();
    const orderId = orderIdOf(order.channel, order.channelOrderId);
    const first = await hub.channel(order.channel, '/events', { type: 'snapshot', eventId: 'e-1', order });
    const second = await hub.channel(order.channel, '/events', { type: 'snapshot', eventId: 'e-1', order });
    const third = await hub.channel(order.channel, '/events', { type: 'snapshot', eventId: 'e-2', order });
    assert.deepEqual([first.status, second.status, third.status], [202, 202, 202]);
    assert.equal(second.body.orderId, first.body.orderId);
    assert.equal(third.body.order.orderId, first.body.order.orderId);
    const runs: string[] = [];
    for await (const execution of hub.client.workflow.list({ query: `WorkflowId = '${orderWorkflowId(orderId)}'` })) runs.push(execution.runId);
    assert.equal(runs.length, 1);
  });

  test('a malformed order gets a 400 naming every wrong field path', async () => {
    const order = makeOrder();
    const broken = { ...order, lines: [{ ...order.lines[0], quantity: -2 }], shippingAddress: { ...order.shippingAddress, phone: 'x' }, createdAt: 'yesterday' };
    const answer = await hub.channel('tmall', '/events', { type: 'snapshot', eventId: 'bad-1', order: broken });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.code, 'VALIDATION');
    const paths = answer.body.error.details.map((d: { path: string }) => d.path).sort();
    assert.deepEqual(paths, ['order.createdAt', 'order.lines.0.quantity', 'order.shippingAddress.phone']);
  });

  test('bad input of every kind gets a 4xx in the one error shape, never a 5xx', async () => {
    const answers = await Promise.all([
      hub.request('POST', '/v1/channels/tmall/events', '{"not json'),
      hub.request('POST', '/v1/channels/tmall/events', JSON.stringify({ type: 'snapshot' })),
      hub.channel('tmall', '/events', []),
      hub.channel('tmall', '/events', { type: 'refund', eventId: 'x' }),
      hub.channel('jd', '/events', { type: 'snapshot', eventId: 'x', order: makeOrder({ channel: 'tmall' }) }),
      hub.request('POST', '/v1/channels/nowhere/events', '{}'),
      hub.ops('GET', '/v1/orders/%E0%A4%A'),
      hub.ops('GET', '/v1/orders/tmall-doesnotexist'),
      hub.ops('GET', '/v1/orders?pageSize=100000&status=LOST'),
      hub.ops('POST', '/v1/orders/tmall-doesnotexist/cancel', { reason: 'x' }),
      hub.request('GET', '/v1/orders'),
      hub.request('GET', '/v1/orders', undefined, { 'x-api-key': 'wrong' }),
      hub.ops('GET', '/nowhere'),
      hub.request('POST', '/v1/channels/tmall/events', JSON.stringify({ big: 'x'.repeat(2_000_000) })),
    ]);
    for (const answer of answers) {
      assert.ok(answer.status >= 400 && answer.status < 500, `expected a 4xx, got ${answer.status} ${JSON.stringify(answer.body)}`);
      assert.equal(typeof answer.body.error.code, 'string');
      assert.equal(typeof answer.body.error.message, 'string');
    }
    assert.deepEqual(answers.map((a) => a.status), [400, 401, 400, 400, 400, 404, 400, 404, 400, 404, 401, 403, 404, 413]);
  });

  test('/healthz answers, /readyz reports Temporal and the database up', async () => {
    assert.deepEqual((await hub.request('GET', '/healthz')).body, { status: 'ok' });
    const ready = await hub.request('GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: 'ready', temporal: 'up', database: 'up' });
  });

  test('/openapi.json documents the endpoints from the zod schemas, and /docs renders it', async () => {
    const spec = await hub.request('GET', '/openapi.json');
    assert.equal(spec.status, 200);
    assert.equal(spec.body.openapi, '3.1.0');
    const intake = spec.body.paths['/v1/channels/{channel}/events'].post;
    assert.ok(intake.requestBody.content['application/json'].schema);
    assert.ok(spec.body.paths['/readyz'].get.responses['503']);
    const docs = await fetch(`${hub.baseUrl}/docs/`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger-ui/i);
  });
});
