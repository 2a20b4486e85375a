/**
 * A worker process killed with SIGKILL after the channel accepted a write-back and before the hub recorded the
 * answer: after a new worker takes over, the Shopify shop holds exactly one fulfilment and the deliveries log says
 * delivered. Shopify's fulfillmentCreate has no idempotency key, so this proves the adapter's look-up before create.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { NodeProcess } from '../../scripts/lib/benchSupport';
import { writeBackKey } from '../../src/domain/ids';
import { makeOrder, paid } from '../fixtures/orders';
import { seedHub } from '../fixtures/network';
import { eventually, startHarness, type Harness } from './harness';
import { lifecycle } from './lifecycleSupport';
import { startHubWorker } from './workerProcess';

describe('a worker killed in the middle of a write-back', () => {
  let hub: Harness;
  let steps: ReturnType<typeof lifecycle>;
  const workers: NodeProcess[] = [];
  const logs = mkdtempSync(path.join(os.tmpdir(), 'orderhub-crash-'));

  /** Starts a worker in its own process, as production runs it. */
  const startWorker = () => {
    const worker = startHubWorker(hub, logs, `worker-${workers.length + 1}`);
    workers.push(worker);
    return worker;
  };

  before(async () => {
    hub = await startHarness('crash', {}, { worker: false });
    steps = lifecycle(hub);
    await seedHub(hub, { stock: { 'TEE-001@suzhou': 10 }, policy: { returnWindowSeconds: 3600 } });
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await hub?.stop();
  });

  test('the shop holds one fulfilment and the deliveries log says delivered', async () => {
    const first = startWorker();
    const order = makeOrder({
      channel: 'website',
      lines: [{ lineId: '3001', sku: 'TEE-001', category: 'tshirt', quantity: 1, unitPrice: 10, listPrice: 10 }],
      amounts: { goods: 10, shipping: 0, discount: 0, paid: 10 },
    });
    hub.partners.shopify.addOrder({ id: order.channelOrderId, lineItems: [{ id: '3001', sku: 'TEE-001', quantity: 1 }] });
    const orderId = await steps.submit(paid(order));
    const { shipments } = await steps.waitFor(orderId, 'FULFILLING', 60_000);
    // The shop creates the fulfilment and its answer never comes back: the worker dies waiting for it.
    hub.partners.shopify.scriptNextCreate({ handleThenHang: true });
    await steps.shipAll(orderId);
    await eventually(
      async () => (hub.partners.shopify.fulfillments(order.channelOrderId).length === 1 ? true : undefined),
      'the shop to create the fulfilment',
    );
    process.kill(first.pid, 'SIGKILL');
    await eventually(async () => (first.running() ? undefined : true), 'the worker to die');
    const key = writeBackKey(orderId, shipments[0]!.shipmentId);
    assert.notEqual((await hub.stores.deliveries.byKey(key))?.state, 'delivered', 'the answer was never recorded');

    startWorker();
    // The new worker takes over the order's workflow task and attempts the write-back again, with the same key.
    const delivered = await eventually(
      async () => {
        const record = await hub.stores.deliveries.byKey(key);
        return record?.state === 'delivered' ? record : undefined;
      },
      'the retried write-back to be delivered',
      90_000,
    );
    const fulfilments = hub.partners.shopify.fulfillments(order.channelOrderId);
    assert.equal(fulfilments.length, 1, 'exactly one fulfilment at the shop');
    assert.equal(delivered.reference, fulfilments[0]!.id, 'the retry found the fulfilment the first attempt made');
    // This shop serves only this order; a create names the fulfilment order, not the order.
    const creates = hub.partners.shopify.server.received.filter((r) => r.rawBody.includes('fulfillmentCreate'));
    assert.equal(creates.length, 1, 'the retry looked the fulfilment up instead of creating another');
    const view = await eventually(async () => {
      const v = await steps.read(orderId);
      return v.shipments[0]!.writtenBack ? v : undefined;
    }, 'the order to show the parcel written back');
    assert.equal(view.status, 'SHIPPED');
  });
});
