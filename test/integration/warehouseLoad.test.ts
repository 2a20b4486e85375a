/** Daily warehouse load (RT-4): each order counts once per warehouse and business day, read back by primary key. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../src/db/connection';
import { createWarehouseLoad, type WarehouseLoad } from '../../src/db/warehouseLoad';
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
});
