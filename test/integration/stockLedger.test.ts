/**
 * The stock ledger on the real database: a stock item's head that trails its entries (a writer stopped between the two
 * writes), and the heads a process has just read or written standing in for the item read.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../src/db/connection';
import { createStockLedger, RECENT_READ_MS } from '../../src/db/stockLedger';
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
    // Another process, which has not read or written this item's head itself, meets the trailing one.
    const ledger = createStockLedger(db.models);

    const second = await ledger.reserve(sku, wh, 'k-b', 3, { orderId: 'o-b' });
    assert.equal(second.status, 'applied');
    assert.deepEqual([second.balance.seq, second.balance.reserved, second.balance.available], [3, 5, 0]);
    assert.equal((await ledger.reserve(sku, wh, 'k-c', 1, { orderId: 'o-c' })).status, 'refused');
    assert.equal((await ledger.reserve(sku, wh, 'k-a', 2, { orderId: 'o-a' })).status, 'already-applied');
    assert.equal((await ledger.commit(sku, wh, 'k-a', { orderId: 'o-a' })).status, 'applied');
    assert.equal((await ledger.commit(sku, wh, 'k-a', { orderId: 'o-a' })).status, 'already-applied');
    assert.deepEqual(await seqsOf(sku, wh), ['1:receipt', '2:reserve', '3:reserve', '4:commit']);
    assert.deepEqual(await stores.ledger.balance(sku, wh), { sku, warehouseId: wh, seq: 4, onHand: 3, reserved: 3, available: 0 });
  });

  test('a head that trails a release does not refuse the units the release freed', async () => {
    const [sku, wh] = ['TRAIL-2', 'WH-A'];
    await stores.ledger.adjust(sku, wh, 'r2', 'receipt', 1, { actor: 'test' });
    assert.equal((await stores.ledger.reserve(sku, wh, 'k-d', 1, { orderId: 'o-a' })).status, 'applied');
    assert.equal((await stores.ledger.release(sku, wh, 'k-d', { orderId: 'o-a' })).status, 'applied');
    await rewindHead(sku, wh, 2); // the head still shows the unit reserved
    const ledger = createStockLedger(db.models);

    const taken = await ledger.reserve(sku, wh, 'k-e', 1, { orderId: 'o-b' });
    assert.equal(taken.status, 'applied');
    assert.equal(taken.balance.seq, 4);
    assert.equal((await ledger.reserve(sku, wh, 'k-d', 1, { orderId: 'o-a' })).status, 'refused', 'a released key stays settled');
    assert.deepEqual(await seqsOf(sku, wh), ['1:receipt', '2:reserve', '3:release', '4:reserve']);
  });

  test('a head read or written a moment ago stands in for the item read; one that trails only collides', async () => {
    const [sku, wh] = ['RECENT-1', 'WH-A'];
    let clock = Date.now();
    const mine = createStockLedger(db.models, () => clock);
    const other = createStockLedger(db.models);
    await other.adjust(sku, wh, 'r3', 'receipt', 10, { actor: 'test' });
    const itemReads: string[] = [];
    const client = db.connection.getClient();
    const onCommand = (event: { commandName: string; command: Record<string, unknown> }) => {
      if (event.commandName === 'find' && event.command.find === 'stock_items') itemReads.push(JSON.stringify(event.command.filter));
    };
    client.on('commandStarted', onCommand);
    try {
      await mine.stockForRouting([sku]);
      itemReads.length = 0;
      assert.equal((await mine.reserve(sku, wh, 'k-f', 2, { orderId: 'o-f' })).status, 'applied');
      assert.deepEqual(itemReads, [], 'the head routing read stands in for the item read');

      // Another process appends meanwhile: this one's head (its own write, a moment ago) now trails.
      assert.equal((await other.reserve(sku, wh, 'k-g', 3, { orderId: 'o-g' })).status, 'applied');
      const collisions = mine.collisions();
      const trailing = await mine.reserve(sku, wh, 'k-h', 4, { orderId: 'o-h' });
      assert.equal(trailing.status, 'applied');
      assert.equal(mine.collisions(), collisions + 1, 'the trailing head collided once');
      assert.deepEqual([trailing.balance.seq, trailing.balance.reserved, trailing.balance.available], [4, 9, 1]);

      // Past the window the item is read again.
      clock += RECENT_READ_MS;
      itemReads.length = 0;
      assert.equal((await mine.reserve(sku, wh, 'k-i', 2, { orderId: 'o-i' })).status, 'refused');
      assert.ok(itemReads.length > 0, 'the item is read once the head is no longer recent');
    } finally {
      client.off('commandStarted', onCommand);
    }
    assert.deepEqual(await seqsOf(sku, wh), ['1:receipt', '2:reserve', '3:reserve', '4:reserve']);
  });

  test("an order's keys, read for their commit or release, stand in for the key read of its first attempt", async () => {
    const [sku, wh] = ['RECENT-2', 'WH-A'];
    let clock = Date.now();
    const ledger = createStockLedger(db.models, () => clock);
    await ledger.adjust(sku, wh, 'r4', 'receipt', 10, { actor: 'test' });
    for (const key of ['k-j', 'k-k']) assert.equal((await ledger.reserve(sku, wh, key, 1, { orderId: 'o-j' })).status, 'applied');
    const keyReads: unknown[] = [];
    const client = db.connection.getClient();
    const onCommand = (event: { commandName: string; command: Record<string, unknown> }) => {
      if (event.commandName === 'find' && event.command.find === 'stock_ledger') keyReads.push(event.command.filter);
    };
    client.on('commandStarted', onCommand);
    try {
      const held = await ledger.reservationsOf('o-j', ['k-j', 'k-k', 'k-unknown']);
      assert.deepEqual(
        held.map((h) => [h.key, h.sku, h.warehouseId]),
        [
          ['k-j', sku, wh],
          ['k-k', sku, wh],
        ],
      );
      assert.deepEqual(await ledger.reservationsOf('o-other', ['k-j']), [], "another order's key is left out");
      keyReads.length = 0;
      assert.equal((await ledger.commit(sku, wh, 'k-j', { orderId: 'o-j' }, held[0]!.known)).status, 'applied');
      assert.deepEqual(keyReads, [], 'the keys read a moment ago stand in for the key read');
      // Read past the window, the key is read again: the release sees the commit and changes nothing.
      clock += RECENT_READ_MS;
      assert.equal((await ledger.release(sku, wh, 'k-j', { orderId: 'o-j' }, held[0]!.known)).status, 'refused');
      assert.ok(keyReads.length > 0);
    } finally {
      client.off('commandStarted', onCommand);
    }
    assert.deepEqual(await seqsOf(sku, wh), ['1:receipt', '2:reserve', '3:reserve', '4:commit']);
  });
});
