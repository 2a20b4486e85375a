/** Daily warehouse load (RT-4): each order counts once per warehouse and business day, read back by primary key. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../src/db/connection';
import { createWarehouseLoad, LOAD_FRESHNESS_MS, type WarehouseLoad } from '../../src/db/warehouseLoad';
import { dropStoreDatabase, openStoreDatabase } from './storeDatabase';

describe('warehouse daily load', () => {
  let db: Database;
  let load: WarehouseLoad;
  before(async () => {
    db = await openStoreDatabase('load');
    load = createWarehouseLoad(db.models);
  });
  after(() => dropStoreDatabase(db));

  test("an order counts once on a warehouse's day, however often its reservation is retried", async () => {
    await load.countOrder('suzhou', '2026-11-25', 'tmall-1');
    await load.countOrder('suzhou', '2026-11-25', 'tmall-1');
    await load.countOrder('suzhou', '2026-11-25', 'tmall-2');
    await load.countOrder('hefei', '2026-11-25', 'tmall-2');
    await load.countOrder('suzhou', '2026-11-26', 'tmall-3');
    assert.deepEqual(await load.ordersOn(['suzhou', 'hefei', 'guangzhou'], '2026-11-25'), { suzhou: 2, hefei: 1, guangzhou: 0 });
    assert.deepEqual(await load.ordersOn(['suzhou'], '2026-11-26'), { suzhou: 1 });
  });

  test("a process counts its own orders at once and sees another process's within LOAD_FRESHNESS_MS", async () => {
    let clock = 1_000_000;
    const [mine, other] = [createWarehouseLoad(db.models, () => clock), createWarehouseLoad(db.models, () => clock)];
    assert.deepEqual(await mine.ordersOn(['suzhou'], '2026-12-01'), { suzhou: 0 });
    await other.countOrder('suzhou', '2026-12-01', 'tmall-b1');
    await mine.countOrder('suzhou', '2026-12-01', 'tmall-a1');
    assert.deepEqual(await mine.ordersOn(['suzhou'], '2026-12-01'), { suzhou: 1 }, 'its own order; the other one not read yet');
    clock += LOAD_FRESHNESS_MS;
    assert.deepEqual(await mine.ordersOn(['suzhou'], '2026-12-01'), { suzhou: 2 });
    assert.deepEqual(await mine.ordersOn(['suzhou'], '2026-12-02'), { suzhou: 0 }, 'a new business day is read, not carried over');
  });
});
