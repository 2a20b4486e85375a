/** RT-4 snowstorm: disabling a warehouse moves its orders that have not started picking, reservations included. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeOrder, paid } from '../fixtures/orders';
import { seedHub, testNetwork } from '../fixtures/network';
import { eventually, startHarness, type Harness } from './harness';
import { lifecycle } from './lifecycleSupport';

describe('warehouse outage', () => {
  let hub: Harness;
  let steps: ReturnType<typeof lifecycle>;
  before(async () => {
    hub = await startHarness('outage');
    steps = lifecycle(hub);
    await seedHub(hub, { stock: { 'TEE-001@suzhou': 50, 'TEE-001@hefei': 50 } });
  });
  after(async () => {
    await hub?.stop();
  });

  test('disabling Suzhou re-routes its unpicked orders to Hefei with their reservations, and leaves a picking order alone', async () => {
    const waiting = [await steps.submit(paid(makeOrder())), await steps.submit(paid(makeOrder()))];
    const picking = await steps.submit(paid(makeOrder()));
    for (const orderId of [...waiting, picking])
      assert.equal((await steps.waitFor(orderId, 'FULFILLING')).shipments[0]!.locationId, 'suzhou');
    const pickingShipment = (await steps.read(picking)).shipments[0]!.shipmentId;
    assert.equal((await steps.progress(picking, pickingShipment, 'picking')).status, 200);
    assert.deepEqual([(await steps.balance('TEE-001', 'suzhou')).reserved, (await steps.balance('TEE-001', 'hefei')).reserved], [3, 0]);

    const network = await hub.ops('GET', '/v1/settings/network');
    const connected = hub.partners.connect(testNetwork);
    const snowstorm = { ...connected, warehouses: connected.warehouses.map((w) => (w.id === 'suzhou' ? { ...w, enabled: false } : w)) };
    const saved = await hub.ops('PUT', '/v1/settings/network', { expectedVersion: network.body.version, body: snowstorm });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));

    for (const orderId of waiting) {
      const moved = await eventually(async () => {
        const view = await steps.read(orderId);
        return view.shipments[0]?.locationId === 'hefei' ? view : undefined;
      }, `${orderId} to move to Hefei`);
      assert.deepEqual(
        moved.reservations.map((r) => `${r.warehouseId}:${r.state}`),
        ['suzhou:released', 'hefei:reserved'],
      );
      await eventually(
        async () => ((await steps.auditActions(orderId)).includes('ORDER_REROUTED') ? true : undefined),
        `${orderId}'s re-route in the audit trail`,
      );
      const rerouted = (await hub.ops('GET', `/v1/orders/${orderId}/audit`)).body.entries.find(
        (e: { action: string }) => e.action === 'ORDER_REROUTED',
      );
      assert.match(rerouted.detail, /warehouse suzhou disabled in network v2/);
      assert.deepEqual(steps.received(orderId), [
        'carrier:waybill.requested',
        'wms:pick_list.created',
        'wms:pick_list.withdrawn',
        'carrier:waybill.requested',
        'wms:pick_list.created',
      ]);
    }
    await eventually(
      async () => ((await steps.auditActions(picking)).includes('REROUTE_SKIPPED') ? true : undefined),
      'the picking order to decline the move',
    );
    assert.equal((await steps.read(picking)).shipments[0]!.locationId, 'suzhou');
    assert.deepEqual([(await steps.balance('TEE-001', 'suzhou')).reserved, (await steps.balance('TEE-001', 'hefei')).reserved], [1, 2]);
  });
});
