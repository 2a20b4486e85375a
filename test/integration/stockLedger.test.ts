/** The stock ledger on the real database: a stock item's head that trails its entries (a writer stopped between the two writes). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../src/db/connection';
import { createStores, type Stores } from '../../src/db/stores';
import { dropStoreDatabase, openStoreDatabase } from './storeDatabase';

describe('stock ledger', () => {
  let db: Database;
  let stores: Stores;
  before(async () => {
    db = await openStoreDatabase('ledger');
    stores = createStores(db);
  });
  after(() => dropStoreDatabase(db));

  /** Moves a stock item's head back to an earlier entry, as a writer that appended and stopped before moving it leaves it. */
  const rewindHead = async (sku: string, warehouseId: string, seq: number) => {
    const [entry] = await stores.ledger.entries(sku, { warehouseId, oldestFirst: true }).then((all) => all.filter((e) => e.seq === seq));
    assert.ok(entry, `entry ${seq} exists`);
    await db.models.StockItem.updateOne(
      { _id: `${sku}@${warehouseId}` },
      { $set: { seq, onHand: entry.onHand, reserved: entry.reserved } },
    );
  };
  const seqsOf = async (sku: string, warehouseId: string) =>
    (await stores.ledger.entries(sku, { warehouseId, oldestFirst: true })).map((e) => `${e.seq}:${e.kind}`);

  test('an entry appended behind a trailing head goes after the true head, and a retried operation appends nothing', async () => {
    const [sku, wh] = ['TRAIL-1', 'WH-A'];
    await stores.ledger.adjust(sku, wh, 'r1', 'receipt', 5, { actor: 'test' });
    assert.equal((await stores.ledger.reserve(sku, wh, 'k-a', 2, { orderId: 'o-a' })).status, 'applied');
    await rewindHead(sku, wh, 1);

    const second = await stores.ledger.reserve(sku, wh, 'k-b', 3, { orderId: 'o-b' });
    assert.equal(second.status, 'applied');
    assert.deepEqual([second.balance.seq, second.balance.reserved, second.balance.available], [3, 5, 0]);
    assert.equal((await stores.ledger.reserve(sku, wh, 'k-c', 1, { orderId: 'o-c' })).status, 'refused');
    assert.equal((await stores.ledger.reserve(sku, wh, 'k-a', 2, { orderId: 'o-a' })).status, 'already-applied');
    assert.equal((await stores.ledger.commit(sku, wh, 'k-a', { orderId: 'o-a' })).status, 'applied');
    assert.equal((await stores.ledger.commit(sku, wh, 'k-a', { orderId: 'o-a' })).status, 'already-applied');
    assert.deepEqual(await seqsOf(sku, wh), ['1:receipt', '2:reserve', '3:reserve', '4:commit']);
    assert.deepEqual(await stores.ledger.balance(sku, wh), { sku, warehouseId: wh, seq: 4, onHand: 3, reserved: 3, available: 0 });
  });

  test('a head that trails a release does not refuse the units the release freed', async () => {
    const [sku, wh] = ['TRAIL-2', 'WH-A'];
    await stores.ledger.adjust(sku, wh, 'r2', 'receipt', 1, { actor: 'test' });
    assert.equal((await stores.ledger.reserve(sku, wh, 'k-d', 1, { orderId: 'o-a' })).status, 'applied');
    assert.equal((await stores.ledger.release(sku, wh, 'k-d', { orderId: 'o-a' })).status, 'applied');
    await rewindHead(sku, wh, 2); // the head still shows the unit reserved

    const taken = await stores.ledger.reserve(sku, wh, 'k-e', 1, { orderId: 'o-b' });
    assert.equal(taken.status, 'applied');
    assert.equal(taken.balance.seq, 4);
    assert.equal((await stores.ledger.reserve(sku, wh, 'k-d', 1, { orderId: 'o-a' })).status, 'refused', 'a released key stays settled');
    assert.deepEqual(await seqsOf(sku, wh), ['1:receipt', '2:reserve', '3:release', '4:reserve']);
  });
});
