/**
 * Intake never waits for a worker: a webhook is answered once Temporal holds the event (signal-with-start), the
 * order runs when a worker comes, repeats collapse on the event id; worker presence and the metrics report it.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { orderIdOf, orderWorkflowId } from '../../src/domain/ids';
import type { OrderEvent } from '../../src/domain/orderEvents';
import { orderEvent } from '../../src/workflows/order/messages';
import { serveMetrics } from '../../src/worker/metrics';
import { seedHub } from '../fixtures/network';
import { makeOrder, paid } from '../fixtures/orders';
import { eventually, startHarness, type Harness } from './harness';
import { lifecycle } from './lifecycleSupport';

/** A port nothing listens on right now, for the SDK's exporter (which cannot report a port it picked itself). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** GETs a Prometheus endpoint and returns its text. */
async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
  return response.text();
}

/** The value of one series in a text exposition (`name{labels}` exactly as printed), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('intake without a worker', () => {
  let hub: Harness;
  let steps: ReturnType<typeof lifecycle>;
  let sdkMetricsPort: number;
  const order = paid(makeOrder());
  const orderId = orderIdOf(order.channel, order.channelOrderId);
  const event = { type: 'snapshot', eventId: `${order.channelOrderId}:paid`, order };

  before(async () => {
    sdkMetricsPort = await freePort();
    hub = await startHarness('intake', { WORKER_SDK_METRICS_PORT: String(sdkMetricsPort) }, { worker: false });
    steps = lifecycle(hub);
    await seedHub(hub, { stock: { 'TEE-001@suzhou': 10 } });
  });
  after(async () => {
    await hub?.stop();
  });

  test('while no worker polls, /readyz still answers 200 and reports "none polling", and the gauge says 0', async () => {
    const ready = await hub.request('GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: 'ready', temporal: 'up', database: 'up', workers: 'none polling' });
    assert.equal(sample(await scrape(`${hub.baseUrl}/metrics`), 'orderhub_workers_polling'), 0);
  });

  test('a signed paid order posted while no worker runs is answered 202 ACCEPTED, and so is its repeat', async () => {
    const first = await hub.channel(order.channel, '/events', event);
    assert.equal(first.status, 202, JSON.stringify(first.body));
    assert.deepEqual(first.body, { orderId, status: 'ACCEPTED' });
    const repeat = await hub.channel(order.channel, '/events', event);
    assert.equal(repeat.status, 202);
    assert.deepEqual(repeat.body, { orderId, status: 'ACCEPTED' });
  });

  test('once a worker starts, the accepted order is reserved and fulfilled once: one workflow, one PAYMENT_RECEIVED', async () => {
    await hub.startWorker();
    const view = await steps.waitFor(orderId, 'FULFILLING');
    assert.deepEqual(
      view.reservations.map((r) => `${r.sku}@${r.warehouseId}:${r.state}`),
      ['TEE-001@suzhou:reserved'],
    );
    assert.equal((await steps.balance('TEE-001', 'suzhou')).reserved, 1);
    const actions = await steps.auditActions(orderId);
    assert.equal(actions.filter((a) => a === 'PAYMENT_RECEIVED').length, 1);
    assert.equal(actions.filter((a) => a === 'STOCK_RESERVED').length, 1);
    const runs: string[] = [];
    for await (const execution of hub.client.workflow.list({ query: `WorkflowId = '${orderWorkflowId(orderId)}'` }))
      runs.push(execution.runId);
    assert.equal(runs.length, 1);
  });

  test('/readyz reports "polling" once the worker runs', async () => {
    const ready = await eventually(async () => {
      const answer = await hub.request('GET', '/readyz');
      return answer.body.workers === 'polling' ? answer : undefined;
    }, 'the worker to be seen polling');
    assert.equal(ready.status, 200);
    assert.equal(sample(await scrape(`${hub.baseUrl}/metrics`), 'orderhub_workers_polling'), 1);
  });

  test('an invalid event signalled straight to a workflow is dropped, and the order still converges', async () => {
    const other = paid(makeOrder());
    const otherId = orderIdOf(other.channel, other.channelOrderId);
    const handle = await hub.client.workflow.signalWithStart('orderWorkflow', {
      workflowId: orderWorkflowId(otherId),
      taskQueue: hub.config.TEMPORAL_TASK_QUEUE,
      args: [{ orderId: otherId }],
      signal: orderEvent,
      signalArgs: [{ type: 'snapshot', eventId: 'not-an-order', order: { channelOrderId: other.channelOrderId } } as unknown as OrderEvent],
    });
    assert.equal((await hub.channel(other.channel, '/events', { type: 'snapshot', eventId: 'e-1', order: other })).status, 202);
    await steps.waitFor(otherId, 'FULFILLING');
    const history = await handle.fetchHistory();
    const failedTasks = history.events?.filter((e) => e.workflowTaskFailedEventAttributes) ?? [];
    assert.deepEqual(failedTasks, [], 'the invalid event failed no workflow task');
  });

  test('GET /metrics on the API lists the webhook acknowledgements, refusals included', async () => {
    const refused = await hub.request('POST', '/v1/channels/tmall/events', JSON.stringify(event));
    assert.equal(refused.status, 401);
    // An answer is counted when it has been written out, which its client may see a moment before.
    const text = await eventually(async () => {
      const scraped = await scrape(`${hub.baseUrl}/metrics`);
      return (sample(scraped, 'orderhub_webhook_acks_total{channel="tmall",outcome="refused"}') ?? 0) >= 1 ? scraped : undefined;
    }, 'the refusal to be counted');
    assert.ok((sample(text, 'orderhub_webhook_acks_total{channel="tmall",outcome="accepted"}') ?? 0) >= 3, text);
    assert.ok((sample(text, 'orderhub_webhook_ack_seconds_count') ?? 0) >= 4);
    assert.match(text, /^nodejs_eventloop_lag_seconds /m, 'Node default metrics');
  });

  test("the worker's metrics server lists reservations and database operations; the SDK's exporter its own", async () => {
    const { server, url } = await serveMetrics('127.0.0.1', 0);
    try {
      const text = await scrape(url);
      assert.ok((sample(text, 'orderhub_reservations_total{outcome="applied"}') ?? 0) >= 2, text);
      assert.ok((sample(text, 'orderhub_db_operation_seconds_count{command="insert"}') ?? 0) > 0);
      assert.equal((await fetch(url.replace('/metrics', '/elsewhere'))).status, 404);
    } finally {
      server.close();
    }
    const sdk = await scrape(`http://127.0.0.1:${sdkMetricsPort}/metrics`);
    assert.match(sdk, /^temporal_\w+/m);
  });
});
