import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeOrder } from '../../../src/domain/routing/route';
import { buildContext, buildOrder, line, shippedFrom, stock } from './helpers';

describe('splitting and unroutable lines (RT-5)', () => {
  const order = buildOrder({ lines: [line('l1', 'SKU-A'), line('l2', 'SKU-B'), line('l3', 'SKU-C')] });

  it('an order no single warehouse can serve is split into the fewest shipments', () => {
    const levels = [stock('suzhou', 'SKU-A', 5), stock('hefei', 'SKU-B', 5), stock('hefei', 'SKU-C', 5), stock('hangzhou', 'SKU-C', 5)];
    const decision = routeOrder(order, buildContext({ stock: levels }));

    assert.deepEqual(decision.shipments, [
      { kind: 'warehouse', locationId: 'hefei', lineIds: ['l2', 'l3'], promisedDeliveryDays: 2 },
      { kind: 'warehouse', locationId: 'suzhou', lineIds: ['l1'], promisedDeliveryDays: 1 },
    ]);
    assert.equal(decision.promisedDeliveryDays, 2, 'one order to the customer: the slowest shipment sets the promise');
    assert.deepEqual(decision.explanation.fallbacks, [{ from: 'hefei', to: 'suzhou', reason: 'OUT_OF_STOCK', sku: 'SKU-A' }]);
    assert.equal(decision.explanation.summary, 'East China → Hefei (SKU SKU-B, SKU SKU-C) + Suzhou (SKU SKU-A); promised 2 days');
  });

  it('one lower-ranked warehouse that has everything beats a split', () => {
    const levels = [
      stock('suzhou', 'SKU-A', 5),
      stock('suzhou', 'SKU-B', 5),
      ...['SKU-A', 'SKU-B', 'SKU-C'].map((sku) => stock('hangzhou', sku, 5)),
    ];
    const decision = routeOrder(order, buildContext({ stock: levels }));

    assert.deepEqual(shippedFrom(decision), ['hangzhou']);
    assert.deepEqual(decision.explanation.fallbacks, [
      { from: 'suzhou', to: 'hefei', reason: 'OUT_OF_STOCK', sku: 'SKU-C' },
      { from: 'hefei', to: 'hangzhou', reason: 'OUT_OF_STOCK', sku: 'SKU-A' },
    ]);
  });

  it('ties between warehouses covering as many lines go to the better-ranked one', () => {
    const levels = [stock('hefei', 'SKU-A', 5), stock('hangzhou', 'SKU-A', 5), stock('hefei', 'SKU-B', 5), stock('hangzhou', 'SKU-C', 5)];
    const decision = routeOrder(order, buildContext({ stock: levels }));

    assert.deepEqual(shippedFrom(decision), ['hefei', 'hangzhou']);
    assert.deepEqual(
      decision.shipments.map((s) => s.lineIds),
      [['l1', 'l2'], ['l3']],
    );
  });

  it('two lines of the same SKU are checked against their total quantity', () => {
    const twice = buildOrder({ lines: [line('l1', 'SKU-A', { quantity: 3 }), line('l2', 'SKU-A', { quantity: 3 })] });
    const decision = routeOrder(twice, buildContext({ stock: [stock('suzhou', 'SKU-A', 5), stock('hefei', 'SKU-A', 6)] }));

    assert.deepEqual(decision.shipments, [{ kind: 'warehouse', locationId: 'hefei', lineIds: ['l1', 'l2'], promisedDeliveryDays: 2 }]);
    assert.equal(decision.explanation.candidates[0]?.stock[0]?.quantity, 6);
  });

  it('a line nobody stocks is reported as unroutable while the rest still ships', () => {
    const decision = routeOrder(order, buildContext({ stock: [stock('suzhou', 'SKU-A', 5), stock('suzhou', 'SKU-B', 5)] }));

    assert.deepEqual(decision.shipments, [{ kind: 'warehouse', locationId: 'suzhou', lineIds: ['l1', 'l2'], promisedDeliveryDays: 1 }]);
    assert.deepEqual(decision.unroutable, [
      {
        lineId: 'l3',
        sku: 'SKU-C',
        reason: 'OUT_OF_STOCK',
        detail: 'need 1 × SKU SKU-C; available: suzhou 0, hefei 0, hangzhou 0, kunshan-temp 0',
      },
    ]);
    assert.equal(decision.explanation.summary, 'East China → Suzhou; unroutable: line l3 SKU SKU-C (OUT_OF_STOCK); promised 1 day');
  });
});
