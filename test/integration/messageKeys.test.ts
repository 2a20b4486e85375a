/**
 * Idempotency keys of outgoing messages, against the real database and partners on loopback: one message per cause
 * reaches the partner, and no key (which partners see as webhook-id) holds personal data.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Stores } from '../../src/db/stores';
import type { ShipmentState } from '../../src/domain/orderView';
import { makeOrder } from '../fixtures/orders';
import { startActivityBench, type ActivityBench } from './activitiesSupport';
import type { LocalPartners } from './partnersSupport';

describe('message idempotency keys', () => {
  let bench: ActivityBench;
  let stores: Stores;
  let partners: LocalPartners;
  let activities: ActivityBench['activities'];

  before(async () => {
    bench = await startActivityBench('keys');
    ({ stores, partners, activities } = bench);
  });
  after(() => bench?.stop());

  test('a second refund of the same order for another cause is sent; a retried refund of one cause is not', async () => {
    // An own-site order: its payment provider holds the money (a marketplace's refunds go through the channel).
    const refund = { orderId: 'website-R1', channel: 'website' as const, amount: 500, reason: 'partial refund' };
    assert.equal((await activities.refundPayment({ ...refund, cause: 'adjustment:1' })).delivered, true);
    assert.equal((await activities.refundPayment({ ...refund, cause: 'adjustment:1' })).delivered, true);
    await activities.refundPayment({ ...refund, amount: 9400, reason: 'return', cause: 'return:RMA-1' });
    const received = partners.payments.events('refund.requested').filter((e) => (e.data as { orderId: string }).orderId === 'website-R1');
    assert.deepEqual(
      received.map((e) => (e.data as { amountMinor: number }).amountMinor),
      [500, 9400],
    );
    // The retry reached the provider under the same key, so it refunded once: three requests, two refunds.
    const keys = partners.payments.server.receivedOn('/refunds').map((r) => r.headers['webhook-id']);
    assert.deepEqual(keys, [
      'payment:refund:website-R1:adjustment:1',
      'payment:refund:website-R1:adjustment:1',
      'payment:refund:website-R1:return:RMA-1',
    ]);
  });

  test('an address changed A → B → A reaches the warehouse three times, and no key holds the phone or street', async () => {
    const order = makeOrder();
    const a = order.shippingAddress;
    const b = { ...a, line1: '88 Other Road' };
    const shipment: ShipmentState = {
      shipmentId: 'S1-1',
      kind: 'warehouse',
      locationId: 'suzhou',
      lineIds: ['L1'],
      promisedDeliveryDays: 1,
      step: 'picking',
      writtenBack: false,
    };
    for (const [index, address] of [b, a, b].entries()) {
      await activities.updateShipmentAddress({ orderId: 'tmall-A1', shipment, address, changeId: `change-${index + 1}` });
    }
    await activities.updateShipmentAddress({ orderId: 'tmall-A1', shipment, address: b, changeId: 'change-3' });
    const sent = partners.wms.events('shipment.address_changed').filter((e) => (e.data as { orderId: string }).orderId === 'tmall-A1');
    assert.deepEqual(
      sent.map((e) => (e.data as { address: { line1: string } }).address.line1),
      [b.line1, a.line1, b.line1],
    );
    const keys = [...sent.map((e) => e.id), ...(await stores.deliveries.ofOrder('tmall-A1')).map((d) => d.key)];
    assert.equal(keys.length, 6);
    for (const key of keys) {
      assert.ok(!key.includes(a.phone) && !key.includes(a.line1) && !key.includes(b.line1), `key ${key} holds personal data`);
    }
  });
});
