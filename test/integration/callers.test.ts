/** Callers by role: warehouses, suppliers and carriers report with their own keys, only for their own shipments. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeOrder, paid } from '../fixtures/orders';
import { dropShipSofas, seedHub } from '../fixtures/network';
import { startHarness, type Harness } from './harness';
import { partners } from './accountsSupport';

describe('callers by role', () => {
  let hub: Harness;
  let steps: ReturnType<typeof partners>;
  /** Each party's key, issued through the operations API. */
  const keys = { suzhou: '', hefei: '', sofaMaker: '', sf: '', zto: '' };
  before(async () => {
    hub = await startHarness('callers');
    steps = partners(hub);
    await seedHub(hub, { stock: { 'TEE-001@suzhou': 10 }, rules: [dropShipSofas], policy: { returnWindowSeconds: 3600 } });
    keys.suzhou = (await steps.createAccount('warehouse', 'suzhou')).apiKey;
    keys.hefei = (await steps.createAccount('warehouse', 'hefei')).apiKey;
    // seedHub made the sofa maker's account (its profile says where its orders go): a key of its own is added.
    keys.sofaMaker = (await steps.addKey('supplier:sofa-maker')).apiKey;
    keys.sf = (await steps.createAccount('carrier', 'SF')).apiKey;
    keys.zto = (await steps.createAccount('carrier', 'ZTO')).apiKey;
  });
  after(async () => {
    await hub?.stop();
  });

  test("a warehouse key reports its own warehouse's shipment, is the actor in the audit trail, and gets 404 for another warehouse's", async () => {
    const { orderId, shipment } = await steps.fulfilling(paid(makeOrder()));
    assert.equal(shipment.locationId, 'suzhou');

    const foreign = await steps.report(keys.hefei, orderId, shipment.shipmentId, 'accepted');
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.error.code, 'UNKNOWN_SHIPMENT');
    assert.equal(
      (await steps.report(keys.sofaMaker, orderId, shipment.shipmentId, 'accepted')).status,
      404,
      'a supplier cannot report a warehouse parcel',
    );

    assert.equal((await steps.report(keys.suzhou, orderId, shipment.shipmentId, 'accepted')).status, 200);
    const audit = await hub.ops('GET', `/v1/orders/${orderId}/audit`);
    const accepted = audit.body.entries.find((e: { action: string }) => e.action === 'SHIPMENT_ACCEPTED');
    assert.deepEqual(accepted.actor, { kind: 'warehouse', id: 'suzhou' });
  });

  test('a carrier key reports delivery only for parcels it carries', async () => {
    const { orderId, shipment } = await steps.fulfilling(paid(makeOrder()));
    const shipmentId = shipment.shipmentId;
    assert.equal(
      (await steps.report(keys.suzhou, orderId, shipmentId, 'shipped', { trackingNumber: 'SF1234567890', carrier: 'SF' })).status,
      200,
    );
    await steps.waitFor(orderId, 'SHIPPED');
    assert.equal((await steps.report(keys.zto, orderId, shipmentId, 'delivered')).status, 404);
    assert.equal((await steps.report(keys.sf, orderId, shipmentId, 'delivered')).status, 200);
    const delivered = await steps.waitFor(orderId, 'DELIVERED');
    assert.ok(delivered.shipments[0]!.deliveredAt);
  });

  test('a supplier key reports its own drop-ship parcel, and nobody but operations reaches the operations API', async () => {
    const order = paid(
      makeOrder({ lines: [{ lineId: 'L1', sku: 'SOFA-1', category: 'sofa', quantity: 1, unitPrice: 99, listPrice: 99 }] }),
    );
    const { orderId, shipment } = await steps.fulfilling(order);
    assert.deepEqual([shipment.kind, shipment.locationId], ['supplier', 'sofa-maker']);
    assert.equal((await steps.report(keys.suzhou, orderId, shipment.shipmentId, 'accepted')).status, 404);
    assert.equal((await steps.report(keys.sofaMaker, orderId, shipment.shipmentId, 'accepted')).status, 200);

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
