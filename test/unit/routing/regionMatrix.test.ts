import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routingDecisionSchema } from '../../../src/domain/routing/decision';
import { routeOrder } from '../../../src/domain/routing/route';
import { buildContext, buildOrder, shippedFrom, stock, withWarehouse } from './helpers';

describe('region priority matrix (RT-1, INV-4, RT-4)', () => {
  const order = buildOrder({ lines: [{ lineId: 'l1', sku: 'TS-001-M', category: 'tshirt', quantity: 2, unitPrice: 9900 }] });
  const plenty = [stock('suzhou', 'TS-001-M', 100), stock('hefei', 'TS-001-M', 100), stock('hangzhou', 'TS-001-M', 100)];

  it('an East China order ships from Suzhou, promised in 1 day', () => {
    const decision = routeOrder(order, buildContext({ stock: plenty }));

    assert.deepEqual(decision.shipments, [{ kind: 'warehouse', locationId: 'suzhou', lineIds: ['l1'], promisedDeliveryDays: 1 }]);
    assert.equal(decision.promisedDeliveryDays, 1);
    assert.equal(decision.explanation.region, 'east');
    assert.deepEqual(decision.explanation.fallbacks, []);
    assert.deepEqual(
      decision.explanation.candidates.map((c) => [c.warehouseId, c.source, c.status]),
      [
        ['suzhou', 'region', 'AVAILABLE'],
        ['hefei', 'region', 'AVAILABLE'],
        ['hangzhou', 'region', 'AVAILABLE'],
        ['kunshan-temp', 'temporary', 'AVAILABLE'],
      ],
    );
    assert.equal(decision.explanation.summary, 'East China → Suzhou; promised 1 day');
  });

  it('an English province name is mapped to its region', () => {
    const decision = routeOrder(buildOrder({ province: 'Zhejiang Province' }), buildContext({ stock: plenty }));

    assert.deepEqual(shippedFrom(decision), ['suzhou']);
    assert.equal(decision.explanation.region, 'east');
  });

  it('when Suzhou would fall below its safety threshold the order ships from Hefei and the promise becomes 2 days', () => {
    // 20 on hand, 5 reserved: 15 available, 13 after this order — under the threshold of 15 (15% of 100).
    const suzhouLow = stock('suzhou', 'TS-001-M', 20, { reserved: 5, safetyThreshold: 15 });
    const decision = routeOrder(order, buildContext({ stock: [suzhouLow, stock('hefei', 'TS-001-M', 100)] }));

    assert.deepEqual(shippedFrom(decision), ['hefei']);
    assert.equal(decision.promisedDeliveryDays, 2);
    assert.deepEqual(decision.explanation.fallbacks, [{ from: 'suzhou', to: 'hefei', reason: 'BELOW_SAFETY_THRESHOLD', sku: 'TS-001-M' }]);
    const suzhou = decision.explanation.candidates.find((c) => c.warehouseId === 'suzhou');
    assert.equal(suzhou?.status, 'DEMOTED');
    assert.deepEqual(suzhou?.stock, [
      {
        sku: 'TS-001-M',
        quantity: 2,
        onHand: 20,
        reserved: 5,
        available: 15,
        safetyThreshold: 15,
        remainingAfter: 13,
        verdict: 'BELOW_SAFETY_THRESHOLD',
      },
    ]);
    assert.equal(decision.explanation.summary, 'East China → Suzhou below safety threshold for SKU TS-001-M → Hefei; promised 2 days');
  });

  it('a warehouse below its safety threshold still ships when no other one can', () => {
    const suzhouLow = stock('suzhou', 'TS-001-M', 10, { safetyThreshold: 15 });
    const decision = routeOrder(order, buildContext({ stock: [suzhouLow], warehouses: withWarehouse('kunshan-temp', { enabled: false }) }));

    assert.deepEqual(shippedFrom(decision), ['suzhou']);
    assert.deepEqual(decision.unroutable, []);
    assert.equal(decision.explanation.summary, 'East China → Suzhou (below safety threshold for SKU TS-001-M); promised 1 day');
  });

  it('snowstorm: with the main warehouse disabled, orders move to the next warehouse in the matrix', () => {
    const decision = routeOrder(order, buildContext({ stock: plenty, warehouses: withWarehouse('suzhou', { enabled: false }) }));

    assert.deepEqual(shippedFrom(decision), ['hefei']);
    assert.equal(decision.explanation.candidates[0]?.status, 'DISABLED');
    assert.deepEqual(decision.explanation.fallbacks, [{ from: 'suzhou', to: 'hefei', reason: 'DISABLED' }]);
    assert.equal(decision.explanation.summary, 'East China → Suzhou disabled → Hefei; promised 2 days');
  });

  it('a warehouse whose dispatch is paused by escalation is skipped', () => {
    const decision = routeOrder(order, buildContext({ stock: plenty, warehouses: withWarehouse('suzhou', { paused: true }) }));

    assert.deepEqual(shippedFrom(decision), ['hefei']);
    assert.deepEqual(decision.explanation.fallbacks, [{ from: 'suzhou', to: 'hefei', reason: 'PAUSED' }]);
  });

  it('a province outside the region table uses the fallback row', () => {
    const decision = routeOrder(buildOrder({ province: 'Atlantis' }), buildContext({ stock: [stock('beijing', 'TS-001-M', 5)] }));

    assert.deepEqual(shippedFrom(decision), ['beijing']);
    assert.equal(decision.explanation.region, null);
    assert.deepEqual(decision.explanation.fallbacks, [{ from: 'suzhou', to: 'beijing', reason: 'OUT_OF_STOCK', sku: 'TS-001-M' }]);
    assert.equal(decision.explanation.candidates[0]?.source, 'fallback');
  });

  it('the decision is plain JSON that matches its schema', () => {
    const decision = routeOrder(order, buildContext({ stock: plenty }));

    assert.deepEqual(JSON.parse(JSON.stringify(decision)), decision);
    assert.deepEqual(routingDecisionSchema.parse(decision), decision);
    assert.equal(decision.decidedAt, '2026-02-03T02:30:00Z');
    assert.equal(decision.orderId, 'tmall-T1001');
  });
});
