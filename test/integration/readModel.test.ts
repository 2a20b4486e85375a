/**
 * The order read model under redone workflow tasks: a batch of changes that a newer batch overtook (its workflow task
 * was redone, so its local activity ran again after the next one) is taken as written, never as a failure that would
 * hold the order up; its audit entries land once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../src/db/connection';
import { createOrderReadModel, type OrderReadModel } from '../../src/db/orderReadModel';
import type { AuditEntry, OrderView } from '../../src/domain/orderView';
import { makeOrder, toCanonical } from '../fixtures/orders';
import { dropStoreDatabase, openStoreDatabase } from './storeDatabase';

describe('order read model', () => {
  let db: Database;
  let orders: OrderReadModel;
  before(async () => {
    db = await openStoreDatabase('readmodel');
    orders = createOrderReadModel(db.models);
  });
  after(() => dropStoreDatabase(db));

  const entry = (seq: number, action: string): AuditEntry => ({
    seq,
    at: new Date().toISOString(),
    actor: { kind: 'system', id: 'orderhub' },
    action,
  });

  const viewOf = (orderId: string): OrderView => {
    const at = new Date().toISOString();
    return {
      orderId,
      workflowId: `Order:${orderId}`,
      status: 'AWAITING_PAYMENT',
      order: toCanonical(makeOrder()),
      holds: [],
      shipments: [],
      reservations: [],
      waiting: { for: 'payment', since: at, who: 'channel' },
      returns: [],
      timeline: [{ at, status: 'AWAITING_PAYMENT', note: 'order received' }],
      version: 1,
    };
  };

  test('a first batch is inserted once: retried, it leaves a newer mirror; from a continued run, it updates an older one', async () => {
    const view = viewOf('tmall-RM2');
    const first = { orderId: view.orderId, version: 1, entries: [entry(1, 'ORDER_RECEIVED')], changes: view };
    await orders.applyChanges(first);
    await orders.applyChanges({
      orderId: view.orderId,
      version: 2,
      entries: [entry(2, 'ORDER_CANCELLED')],
      changes: { status: 'CANCELLED' },
    });
    await orders.applyChanges(first);
    assert.equal((await orders.find(view.orderId))?.status, 'CANCELLED');
    // A continued run writes its whole view again as its first batch, under a newer version.
    await orders.applyChanges({
      orderId: view.orderId,
      version: 3,
      entries: [entry(3, 'ORDER_CONTINUED')],
      changes: { ...view, status: 'COMPLETED', version: 3 },
    });
    assert.equal((await orders.find(view.orderId))?.status, 'COMPLETED');
    assert.deepEqual(
      (await orders.audit(view.orderId)).map((e) => e.action),
      ['ORDER_RECEIVED', 'ORDER_CANCELLED', 'ORDER_CONTINUED'],
    );
    assert.deepEqual(await orders.list({ status: 'CANCELLED' }, { page: 1, pageSize: 10 }).then((r) => r.items.map((i) => i.orderId)), []);
  });

  test("a buyer's history counts the other orders, and those in the window, from one read", async () => {
    const now = Date.now();
    const minutesAgo = (m: number) => new Date(now - m * 60_000);
    for (const [orderId, at] of [
      ['tmall-B1', minutesAgo(600)],
      ['tmall-B2', minutesAgo(20)],
      ['tmall-B3', minutesAgo(5)],
      ['tmall-B4', minutesAgo(1)],
    ] as const)
      await orders.recordBuyerOrder(orderId, 'buyer-history', at);
    await orders.recordBuyerOrder('tmall-B5', 'another-buyer', minutesAgo(1));
    assert.deepEqual(await orders.buyerHistory('buyer-history', 'tmall-B4', minutesAgo(10)), { previousOrderCount: 3, ordersInWindow: 1 });
    assert.deepEqual(await orders.buyerHistory('buyer-history', 'tmall-B9', minutesAgo(30)), { previousOrderCount: 4, ordersInWindow: 3 });
    assert.deepEqual(await orders.buyerHistory('first-time', 'tmall-B6', minutesAgo(10)), { previousOrderCount: 0, ordersInWindow: 0 });
  });

  test('a batch overtaken by a newer one is taken as written: the newer mirror stays, its entries land once', async () => {
    const view = viewOf('tmall-RM1');
    await orders.applyChanges({ orderId: view.orderId, version: 1, entries: [entry(1, 'ORDER_RECEIVED')], changes: view });
    await orders.applyChanges({ orderId: view.orderId, version: 2, entries: [entry(2, 'RETURN_REFUNDED')], changes: { returns: [] } });
    await orders.applyChanges({
      orderId: view.orderId,
      version: 3,
      entries: [entry(3, 'ORDER_COMPLETED')],
      changes: { status: 'COMPLETED' },
    });
    // The redone task runs the second batch again.
    await orders.applyChanges({ orderId: view.orderId, version: 2, entries: [entry(2, 'RETURN_REFUNDED')], changes: { returns: [] } });
    assert.equal((await orders.find(view.orderId))?.status, 'COMPLETED');
    assert.deepEqual(
      (await orders.audit(view.orderId)).map((e) => e.action),
      ['ORDER_RECEIVED', 'RETURN_REFUNDED', 'ORDER_COMPLETED'],
    );
  });
});
