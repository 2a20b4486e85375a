/**
 * The seventh design's allocation step against the real database: it routes and reserves in one call, and a retried
 * call (an earlier attempt failed, or may still be running) undoes the round wherever its keys could hold stock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Stores } from '../../src/db/stores';
import { orderIdOf, reservationKeyOf } from '../../src/domain/ids';
import { makeOrder, paid, toCanonical } from '../fixtures/orders';
import { startActivityBench, type ActivityBench } from './activitiesSupport';

describe('allocation in one step (seventh design)', () => {
  let bench: ActivityBench;
  let stores: Stores;
  let activities: ActivityBench['activities'];

  before(async () => {
    bench = await startActivityBench('allocation');
    ({ stores, activities } = bench);
    for (const warehouseId of ['suzhou', 'hefei'])
      await stores.ledger.adjust('ALLOC-1', warehouseId, `seed-${warehouseId}`, 'receipt', 5, { actor: 'test' });
  });
  after(() => bench?.stop());

  const order = toCanonical(
    paid(
      makeOrder({
        lines: [{ lineId: 'L1', sku: 'ALLOC-1', category: 'tshirt', quantity: 2, unitPrice: 99, listPrice: 99 }],
        amounts: { goods: 198, shipping: 0, discount: 0, paid: 198 },
      }),
    ),
  );
  const orderId = orderIdOf(order.channel, order.channelOrderId);

  test('routes and reserves the round; a retry releases the round everywhere and asks for the next one', async () => {
    const first = await activities.allocateStock({ orderId, order, round: 1 });
    assert.ok('route' in first && first.reserved?.ok, JSON.stringify(first));
    assert.deepEqual(
      first.route.shipments.map((s) => s.locationId),
      ['suzhou'],
    );
    assert.equal((await stores.ledger.balance('ALLOC-1', 'suzhou')).reserved, 2);

    // The same round again, as a retry: what the first attempt reserved is released, and every key the round could
    // have used elsewhere is closed, so a first attempt still running cannot reserve under it later.
    const retried = await new MockActivityEnvironment({ attempt: 2 }).run(activities.allocateStock, { orderId, order, round: 1 });
    assert.deepEqual(retried, { undone: true });
    assert.equal((await stores.ledger.balance('ALLOC-1', 'suzhou')).reserved, 0);
    const late = await stores.ledger.reserve('ALLOC-1', 'hefei', reservationKeyOf(orderId, 1, 'L1', 'hefei'), 2, { orderId });
    assert.deepEqual([late.status, late.status === 'refused' && late.reason], ['refused', 'ALREADY_SETTLED']);

    const next = await activities.allocateStock({ orderId, order, round: 2 });
    assert.ok('route' in next && next.reserved?.ok, JSON.stringify(next));
    assert.deepEqual(await stores.ledger.reservationsOf(orderId, [reservationKeyOf(orderId, 2, 'L1', 'suzhou')]).then((r) => r.length), 1);
    assert.equal((await stores.ledger.balance('ALLOC-1', 'suzhou')).reserved, 2);
  });

  test('a line with no route reserves nothing', async () => {
    const nowhere = toCanonical(
      paid(
        makeOrder({
          lines: [{ lineId: 'L1', sku: 'NOT-STOCKED', category: 'tshirt', quantity: 1, unitPrice: 99, listPrice: 99 }],
          amounts: { goods: 99, shipping: 0, discount: 0, paid: 99 },
        }),
      ),
    );
    const result = await activities.allocateStock({
      orderId: orderIdOf(nowhere.channel, nowhere.channelOrderId),
      order: nowhere,
      round: 1,
    });
    assert.ok('route' in result && result.route.unroutable.length === 1 && result.reserved === undefined, JSON.stringify(result));
  });
});
