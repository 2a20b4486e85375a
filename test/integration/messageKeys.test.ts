/** Idempotency keys of outgoing messages, against the real database: one message per cause, never personal data in a key. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createActivities } from '../../src/activities';
import { connectDatabase, type Database } from '../../src/db/connection';
import { createStores } from '../../src/db/stores';
import type { ShipmentState } from '../../src/domain/orderView';
import { createLogger } from '../../src/logging';
import { makeOrder } from '../fixtures/orders';

describe('message idempotency keys', () => {
  let db: Database;
  let activities: ReturnType<typeof createActivities>;
  const messages = (orderId: string) => db.models.OutboxMessage.find({ orderId }).sort({ createdAt: 1 }).lean();

  before(async () => {
    const url = new URL(process.env.MONGODB_URI!);
    url.pathname = `/it_keys_${process.pid}`;
    db = await connectDatabase(url.toString());
    activities = createActivities({ stores: createStores(db), logger: createLogger('silent', 'keys') });
  });
  after(async () => {
    await db?.connection.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  test('a second refund of the same order for another cause is sent; a retried refund of one cause is not', async () => {
    const refund = { orderId: 'tmall-R1', channel: 'tmall' as const, amount: 500, reason: 'partial refund' };
    await activities.refundPayment({ ...refund, cause: 'adjustment:1' });
    await activities.refundPayment({ ...refund, cause: 'adjustment:1' });
    await activities.refundPayment({ ...refund, amount: 9400, reason: 'return', cause: 'return:RMA-1' });
    assert.deepEqual(
      (await messages('tmall-R1')).map((m) => (m.payload as { amount: number }).amount),
      [500, 9400],
    );
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
    const sent = await messages('tmall-A1');
    assert.deepEqual(
      sent.map((m) => (m.payload as { address: { line1: string } }).address.line1),
      [b.line1, a.line1, b.line1],
    );
    for (const message of sent) {
      assert.ok(
        !message._id.includes(a.phone) && !message._id.includes(a.line1) && !message._id.includes(b.line1),
        `key ${message._id} holds personal data`,
      );
    }
  });
});
