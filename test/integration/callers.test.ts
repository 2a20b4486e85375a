/** Callers by role: warehouses, suppliers and carriers report with their own keys, only for their own shipments. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeOrder, paid } from '../fixtures/orders';
import { dropShipSofas, seedHub } from '../fixtures/network';
import { startHarness, type Harness } from './harness';
import { lifecycle } from './lifecycleSupport';

const keys = {
  suzhou: 'wms-suzhou-key',
  hefei: 'wms-hefei-key',
  sofaMaker: 'supplier-sofa-key',
  sf: 'carrier-sf-key',
  zto: 'carrier-zto-key',
};

describe('callers by role', () => {
  let hub: Harness;
  let steps: ReturnType<typeof lifecycle>;
  before(async () => {
    hub = await startHarness('callers', {
      WAREHOUSE_API_KEYS: `suzhou:${keys.suzhou},hefei:${keys.hefei}`,
      SUPPLIER_API_KEYS: `sofa-maker:${keys.sofaMaker}`,
      CARRIER_API_KEYS: `SF:${keys.sf},ZTO:${keys.zto}`,
    });
    steps = lifecycle(hub);
    await seedHub(hub.stores, { stock: { 'TEE-001@suzhou': 10 }, rules: [dropShipSofas], policy: { returnWindowSeconds: 3600 } });
  });
  after(async () => {
    await hub?.stop();
  });

  /** Reports a step with a party's key. */
  const report = (key: string, orderId: string, shipmentId: string, step: string, extra: Record<string, unknown> = {}) =>
    hub.request(
      'POST',
      `/v1/orders/${orderId}/shipments/${shipmentId}/progress`,
      JSON.stringify({ step, at: new Date().toISOString(), ...extra }),
      { 'content-type': 'application/json', 'x-api-key': key },
    );

  test("a warehouse key reports its own warehouse's shipment, is the actor in the audit trail, and gets 404 for another warehouse's", async () => {
    const orderId = await steps.submit(paid(makeOrder()));
    const view = await steps.waitFor(orderId, 'FULFILLING');
    const shipment = view.shipments[0]!;
    assert.equal(shipment.locationId, 'suzhou');

    const foreign = await report(keys.hefei, orderId, shipment.shipmentId, 'accepted');
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.error.code, 'UNKNOWN_SHIPMENT');
    assert.equal(
      (await report(keys.sofaMaker, orderId, shipment.shipmentId, 'accepted')).status,
      404,
      'a supplier cannot report a warehouse parcel',
    );

    assert.equal((await report(keys.suzhou, orderId, shipment.shipmentId, 'accepted')).status, 200);
    const audit = await hub.ops('GET', `/v1/orders/${orderId}/audit`);
    const accepted = audit.body.entries.find((e: { action: string }) => e.action === 'SHIPMENT_ACCEPTED');
    assert.deepEqual(accepted.actor, { kind: 'warehouse', id: 'suzhou' });
  });

  test('a carrier key reports delivery only for parcels it carries', async () => {
    const orderId = await steps.submit(paid(makeOrder()));
    const view = await steps.waitFor(orderId, 'FULFILLING');
    const shipmentId = view.shipments[0]!.shipmentId;
    assert.equal(
      (await report(keys.suzhou, orderId, shipmentId, 'shipped', { trackingNumber: 'SF1234567890', carrier: 'SF' })).status,
      200,
    );
    await steps.waitFor(orderId, 'SHIPPED');
    assert.equal((await report(keys.zto, orderId, shipmentId, 'delivered')).status, 404);
    assert.equal((await report(keys.sf, orderId, shipmentId, 'delivered')).status, 200);
    const delivered = await steps.waitFor(orderId, 'DELIVERED');
    assert.ok(delivered.shipments[0]!.deliveredAt);
  });

  test('a supplier key reports its own drop-ship parcel, and nobody but operations reaches the operations API', async () => {
    const order = paid(
      makeOrder({ lines: [{ lineId: 'L1', sku: 'SOFA-1', category: 'sofa', quantity: 1, unitPrice: 99, listPrice: 99 }] }),
    );
    const orderId = await steps.submit(order);
    const view = await steps.waitFor(orderId, 'FULFILLING');
    const shipment = view.shipments[0]!;
    assert.deepEqual([shipment.kind, shipment.locationId], ['supplier', 'sofa-maker']);
    assert.equal((await report(keys.suzhou, orderId, shipment.shipmentId, 'accepted')).status, 404);
    assert.equal((await report(keys.sofaMaker, orderId, shipment.shipmentId, 'accepted')).status, 200);

    for (const key of [keys.suzhou, keys.sofaMaker, keys.sf]) {
      assert.equal((await hub.request('GET', '/v1/orders', undefined, { 'x-api-key': key })).status, 403);
      assert.equal(
        (
          await hub.request('POST', `/v1/orders/${orderId}/cancel`, JSON.stringify({ reason: 'x' }), {
            'content-type': 'application/json',
            'x-api-key': key,
          })
        ).status,
        403,
      );
    }
  });
});
