/** The wiring end to end: intake over signed HTTP → workflow → activity → database → GET, plus the API baseline. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { orderIdOf, orderWorkflowId } from '../../src/domain/ids';
import { signWebhook } from '../../src/api/auth';
import { CHANNEL_SECRET, eventually, startHarness, type Harness } from './harness';
import { makeOrder } from '../fixtures/orders';

describe('foundation', () => {
  let hub: Harness;
  before(async () => {
    hub = await startHarness('foundation');
  });
  after(async () => {
    await hub?.stop();
  });

  test('a posted order starts its workflow, is written to the database, and reads back with its workflow status', async () => {
    const order = makeOrder();
    const orderId = orderIdOf(order.channel, order.channelOrderId);
    const posted = await hub.channel(order.channel, '/events', { type: 'snapshot', eventId: `${orderId}:created`, order });
    assert.equal(posted.status, 202);
    assert.deepEqual(posted.body, { orderId, status: 'ACCEPTED' });

    const mirrored = await eventually(() => hub.stores.orders.find(orderId), 'the read model');
    assert.equal(mirrored.workflowId, orderWorkflowId(orderId));
    assert.equal(mirrored.order.brand, order.brand);

    const read = await hub.ops('GET', `/v1/orders/${orderId}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.workflow.workflowId, `Order:${orderId}`);
    assert.equal(read.body.workflow.status, 'RUNNING');
    assert.equal(read.body.order.order.channelOrderId, order.channelOrderId);
    assert.equal(read.body.order.status, 'AWAITING_PAYMENT');
  });

  test('posting the same order twice starts one workflow and answers every call with the same order id', async () => {
    const order = makeOrder();
    const orderId = orderIdOf(order.channel, order.channelOrderId);
    const first = await hub.channel(order.channel, '/events', { type: 'snapshot', eventId: 'e-1', order });
    const second = await hub.channel(order.channel, '/events', { type: 'snapshot', eventId: 'e-1', order });
    const third = await hub.channel(order.channel, '/events', { type: 'snapshot', eventId: 'e-2', order });
    assert.deepEqual([first.status, second.status, third.status], [202, 202, 202]);
    assert.equal(second.body.orderId, orderId);
    assert.equal(third.body.orderId, orderId);
    const runs: string[] = [];
    for await (const execution of hub.client.workflow.list({ query: `WorkflowId = '${orderWorkflowId(orderId)}'` }))
      runs.push(execution.runId);
    assert.equal(runs.length, 1);
  });

  test('a malformed order gets a 400 naming every wrong field path', async () => {
    const order = makeOrder();
    const broken = {
      ...order,
      lines: [{ ...order.lines[0], quantity: -2 }],
      shippingAddress: { ...order.shippingAddress, phone: 'x' },
      createdAt: 'yesterday',
    };
    const answer = await hub.channel('tmall', '/events', { type: 'snapshot', eventId: 'bad-1', order: broken });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.code, 'VALIDATION');
    const paths = answer.body.error.details.map((d: { path: string }) => d.path).sort();
    assert.deepEqual(paths, ['order.createdAt', 'order.lines.0.quantity', 'order.shippingAddress.phone']);
  });

  test('prices with two decimals (19.99, 9.95, 4.35, 0.29, 1.15) are accepted and held in minor units; a third decimal is a 400', async () => {
    const order = makeOrder({
      lines: [
        { lineId: 'L1', sku: 'TEE-001', category: 'tshirt', quantity: 1, unitPrice: 19.99, listPrice: 19.99 },
        { lineId: 'L2', sku: 'SOCK-1', category: 'sock', quantity: 3, unitPrice: 4.35 },
        { lineId: 'L3', sku: 'CARD-1', category: 'card', quantity: 1, unitPrice: 0.29, listPrice: 1.15 },
      ],
      amounts: { goods: 33.33, shipping: 9.95, discount: 1.15, paid: 42.13 },
    });
    const orderId = orderIdOf(order.channel, order.channelOrderId);
    const posted = await hub.channel(order.channel, '/events', { type: 'snapshot', eventId: `${orderId}:created`, order });
    assert.equal(posted.status, 202, JSON.stringify(posted.body));
    const taken = await eventually(async () => (await hub.ops('GET', `/v1/orders/${orderId}`)).body.order, 'the order in its workflow');
    assert.deepEqual(taken.order.amounts, { goods: 3333, shipping: 995, discount: 115, paid: 4213 });
    assert.deepEqual(
      taken.order.lines.map((line: { unitPrice: number }) => line.unitPrice),
      [1999, 435, 29],
    );
    const notice = {
      type: 'paid',
      eventId: `${orderId}:paid`,
      channelOrderId: order.channelOrderId,
      paidAt: '2026-11-24T08:01:00Z',
      amount: 42.13,
    };
    assert.equal((await hub.channel(order.channel, '/events', notice)).status, 202);
    const read = await hub.ops('GET', `/v1/orders/${orderId}`);
    assert.equal(read.body.order.order.amounts.paid, 4213);

    const tooPrecise = await hub.channel('tmall', '/events', {
      type: 'snapshot',
      eventId: 'bad-money',
      order: { ...makeOrder(), amounts: { goods: 99, paid: 99.001 } },
    });
    assert.equal(tooPrecise.status, 400);
    assert.deepEqual(
      tooPrecise.body.error.details.map((d: { path: string; message: string }) => [d.path, d.message]),
      [['order.amounts.paid', 'at most two decimals']],
    );
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
    assert.deepEqual(
      answers.map((a) => a.status),
      [400, 401, 400, 400, 400, 404, 400, 404, 400, 404, 401, 401, 404, 413],
    );
  });

  test('a webhook timestamp that is not an ISO instant is refused, even when it names the right moment and is signed', async () => {
    const raw = JSON.stringify({ type: 'snapshot', eventId: 'not-iso-1', order: makeOrder() });
    // An RFC 2822 date of now: Date.parse understands it, the documented contract (an ISO instant) does not.
    const timestamp = new Date().toUTCString();
    const answer = await hub.request('POST', '/v1/channels/tmall/events', raw, {
      'x-orderhub-timestamp': timestamp,
      'x-orderhub-signature': signWebhook(CHANNEL_SECRET, timestamp, raw),
    });
    assert.equal(answer.status, 401);
    assert.equal(answer.body.error.code, 'STALE_SIGNATURE');
  });

  test('list filters shaped like operators, or unknown filters, answer 400 instead of the unfiltered list', async () => {
    for (const query of ['status[$ne]=x', 'status%5B%24ne%5D=CANCELLED', 'colour=red']) {
      const answer = await hub.ops('GET', `/v1/orders?${query}`);
      assert.equal(answer.status, 400, `${query} answered ${answer.status}`);
      assert.equal(answer.body.error.code, 'VALIDATION');
    }
    assert.equal((await hub.ops('GET', '/v1/orders?status=CANCELLED')).status, 200);
  });

  test('/healthz answers, /readyz reports Temporal and the database up and the worker polling', async () => {
    assert.deepEqual((await hub.request('GET', '/healthz')).body, { status: 'ok' });
    const ready = await hub.request('GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: 'ready', temporal: 'up', database: 'up', workers: 'polling' });
  });

  test('/openapi.json documents the endpoints from the zod schemas, and /docs renders it', async () => {
    const spec = await hub.request('GET', '/openapi.json');
    assert.equal(spec.status, 200);
    assert.equal(spec.body.openapi, '3.1.0');
    const intake = spec.body.paths['/v1/channels/{channel}/events'].post;
    assert.ok(intake.requestBody.content['application/json'].schema);
    assert.ok(spec.body.paths['/readyz'].get.responses['503']);
    assert.ok(spec.body.paths['/metrics'].get.responses['200'].content['text/plain']);
    const docs = await fetch(`${hub.baseUrl}/docs/`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger-ui/i);
  });
});
