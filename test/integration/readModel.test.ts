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

  test('a batch overtaken by a newer one is taken as written: the newer mirror stays, its entries land once', async () => {
    const at = new Date().toISOString();
    const view: OrderView = {
      orderId: 'tmall-RM1',
      workflowId: 'Order:tmall-RM1',
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
