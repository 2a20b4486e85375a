/**
 * A worker process killed with SIGKILL after the payment provider refunded and before the hub recorded its answer:
 * after a new worker takes over, the refund is asked again under the same out_request_no and Alipay pays it once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ALIPAY_GATEWAY_PATH } from '../../scripts/lib/partners/alipay';
import type { NodeProcess } from '../../scripts/lib/benchSupport';
import { refundKeyOf } from '../../src/domain/ids';
import { makeOrder, paid } from '../fixtures/orders';
import { seedHub } from '../fixtures/network';
import { eventually, startHarness, type Harness } from './harness';
import { lifecycle } from './lifecycleSupport';
import { startHubWorker } from './workerProcess';

describe('a worker killed in the middle of a refund', () => {
  let hub: Harness;
  let steps: ReturnType<typeof lifecycle>;
  const workers: NodeProcess[] = [];
  const logs = mkdtempSync(path.join(os.tmpdir(), 'orderhub-refund-crash-'));
  const startWorker = () => {
    const worker = startHubWorker(hub, logs, `worker-${workers.length + 1}`);
    workers.push(worker);
    return worker;
  };

  before(async () => {
    hub = await startHarness('refundcrash', {}, { worker: false });
    steps = lifecycle(hub);
    await seedHub(hub, { stock: { 'TEE-001@suzhou': 10 }, policy: { returnWindowSeconds: 3600 } });
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await hub?.stop();
  });

  test('Alipay refunds once: the retry after the crash carries the same out_request_no', async () => {
    const first = startWorker();
    const order = makeOrder({ channel: 'miniprogram' });
    hub.partners.alipay.addTrade({ outTradeNo: order.channelOrderId, totalMinor: 9900 });
    const orderId = await steps.submit(paid(order));
    const { shipments } = await steps.waitFor(orderId, 'FULFILLING', 60_000);
    await steps.shipAll(orderId);
    assert.equal((await steps.progress(orderId, shipments[0]!.shipmentId, 'delivered')).status, 200);
    await steps.waitFor(orderId, 'DELIVERED', 60_000);
    const asked = await hub.channel('miniprogram', `/orders/${order.channelOrderId}/returns`, {
      returnId: 'R1',
      lines: [{ lineId: 'L1', quantity: 1 }],
      reason: 'changed_mind',
    });
    assert.equal(asked.status, 201, JSON.stringify(asked.body));
    await eventually(async () => {
      const view = await hub.ops('GET', `/v1/orders/${orderId}/returns/R1`);
      return view.body.status === 'LABEL_ISSUED' ? true : undefined;
    }, 'the return label');
    assert.equal((await hub.ops('POST', `/v1/orders/${orderId}/returns/R1/receipt`, { at: new Date().toISOString() })).status, 200);
    // Alipay refunds and its answer never comes back: the worker dies waiting for it.
    hub.partners.alipay.server.script(ALIPAY_GATEWAY_PATH, { handleThenHang: true });
    const inspection = { lines: [{ lineId: 'L1', quantity: 1, condition: 'intact' }], inspector: 'qc-1', at: new Date().toISOString() };
    const inspected = await hub.ops('POST', `/v1/orders/${orderId}/returns/R1/inspection`, inspection);
    assert.equal(inspected.status, 200, JSON.stringify(inspected.body));
    const refund = await eventually(async () => hub.partners.alipay.refunds(order.channelOrderId)[0], 'Alipay to refund');
    process.kill(first.pid, 'SIGKILL');
    await eventually(async () => (first.running() ? undefined : true), 'the worker to die');
    const key = refundKeyOf(orderId, 'R1');
    assert.notEqual((await hub.stores.deliveries.byKey(key))?.state, 'delivered', 'the answer was never recorded');

    startWorker();
    await eventually(
      async () => (hub.partners.alipay.calls(refund.outRequestNo) >= 2 ? true : undefined),
      'the refund to be asked again',
      90_000,
    );
    hub.partners.alipay.settle(refund.outRequestNo);
    const refunded = await eventually(
      async () => {
        const view = await hub.ops('GET', `/v1/orders/${orderId}/returns/R1`);
        return view.body.status === 'REFUNDED' ? view.body : undefined;
      },
      'the return to be refunded',
      90_000,
    );
    assert.equal(hub.partners.alipay.effects(refund.outRequestNo), 1, 'paid once');
    assert.equal(hub.partners.alipay.refunds(order.channelOrderId).length, 1);
    assert.equal(refunded.refund.amountMinor, 9900);
    assert.equal((await hub.stores.deliveries.byKey(key))?.state, 'delivered');
  });
});
