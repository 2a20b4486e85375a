import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exampleWarehouses } from '../../../src/domain/routing/examples';
import { routeOrder } from '../../../src/domain/routing/route';
import { buildContext, buildOrder, shippedFrom, stock } from './helpers';

describe('temporary warehouses take overflow only (RT-4)', () => {
  const order = buildOrder();
  const everywhere = ['suzhou', 'hefei', 'hangzhou', 'kunshan-temp'].map((w) => stock(w, 'TS-001-M', 50));

  it('a temporary warehouse receives the order when every preferred one is full or down', () => {
    const warehouses = exampleWarehouses.map((w) =>
      w.id === 'hefei' ? { ...w, enabled: false } : w.id === 'hangzhou' ? { ...w, paused: true } : w,
    );
    const context = buildContext({ warehouses, stock: everywhere, capacityUsedToday: { suzhou: 20_000 } });
    const decision = routeOrder(order, context);

    assert.deepEqual(shippedFrom(decision), ['kunshan-temp']);
    assert.equal(decision.promisedDeliveryDays, 2);
    assert.deepEqual(decision.explanation.fallbacks, [
      { from: 'suzhou', to: 'hefei', reason: 'OVER_CAPACITY' },
      { from: 'hefei', to: 'hangzhou', reason: 'DISABLED' },
      { from: 'hangzhou', to: 'kunshan-temp', reason: 'PAUSED' },
    ]);
    assert.equal(
      decision.explanation.summary,
      'East China → Suzhou over daily capacity → Hefei disabled → Hangzhou paused → Kunshan (temporary); promised 2 days',
    );
  });

  it('a temporary warehouse receives nothing while one preferred warehouse still has capacity', () => {
    const context = buildContext({ stock: everywhere, capacityUsedToday: { suzhou: 20_000, hefei: 11_999 } });
    const decision = routeOrder(order, context);

    assert.deepEqual(shippedFrom(decision), ['hefei']);
    assert.deepEqual(decision.explanation.fallbacks, [{ from: 'suzhou', to: 'hefei', reason: 'OVER_CAPACITY' }]);
    const temporary = decision.explanation.candidates.find((c) => c.warehouseId === 'kunshan-temp');
    assert.equal(temporary?.status, 'AVAILABLE');
  });

  it('when no regular warehouse has the stock, the temporary one ships', () => {
    const context = buildContext({ stock: [stock('kunshan-temp', 'TS-001-M', 50)] });
    const decision = routeOrder(order, context);

    assert.deepEqual(shippedFrom(decision), ['kunshan-temp']);
    assert.deepEqual(
      decision.explanation.fallbacks.map((f) => [f.from, f.to, f.reason]),
      [
        ['suzhou', 'hefei', 'OUT_OF_STOCK'],
        ['hefei', 'hangzhou', 'OUT_OF_STOCK'],
        ['hangzhou', 'kunshan-temp', 'OUT_OF_STOCK'],
      ],
    );
  });

  it('a temporary warehouse that is full itself leaves the order unroutable, with the reason', () => {
    const context = buildContext({
      stock: everywhere,
      capacityUsedToday: { suzhou: 20_000, hefei: 12_000, hangzhou: 8_000, 'kunshan-temp': 5_000 },
    });
    const decision = routeOrder(order, context);

    assert.deepEqual(decision.shipments, []);
    assert.deepEqual(
      decision.unroutable.map((u) => [u.lineId, u.reason]),
      [['l1', 'NO_CANDIDATE_WAREHOUSE']],
    );
    assert.equal(decision.explanation.fallbacks.at(-1)?.to, null);
    assert.equal(decision.promisedDeliveryDays, null);
  });
});
