import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dropShipExampleRuleSet } from '../../../src/domain/routing/examples';
import type { RoutingRuleSetInput } from '../../../src/domain/routing/rules';
import { routeOrder } from '../../../src/domain/routing/route';
import { buildContext, buildOrder, line, shippedFrom, stock, withWarehouse } from './helpers';

type RuleInput = RoutingRuleSetInput['rules'][number];
const ruleSet = (...rules: RuleInput[]): RoutingRuleSetInput => ({ id: 'test', version: 7, rules });
const plenty = ['suzhou', 'hefei', 'hangzhou'].map((w) => stock(w, 'TS-001-M', 50));

describe('rule actions', () => {
  it('lines a rule assigns to a supplier are drop-shipped; the rest ship from the warehouse', () => {
    const order = buildOrder({ lines: [line('l1', 'TS-001-M'), line('l2', 'BOX-RED', { category: 'gift-box' })] });
    const context = buildContext({ ruleSet: dropShipExampleRuleSet, stock: plenty, supplierDeliveryDays: { 'sup-hz-box': 2 } });
    const decision = routeOrder(order, context);

    assert.deepEqual(decision.shipments, [
      { kind: 'warehouse', locationId: 'suzhou', lineIds: ['l1'], promisedDeliveryDays: 1 },
      { kind: 'supplier', locationId: 'sup-hz-box', lineIds: ['l2'], promisedDeliveryDays: 2 },
    ]);
    assert.deepEqual(decision.queues, ['dropship']);
    assert.deepEqual(decision.explanation.matchedRules, [
      { id: 'gift-box-supplier', name: 'gift boxes are drop-shipped by the Hangzhou box maker', priority: 10 },
    ]);
    assert.deepEqual(decision.explanation.ruleSet, { id: 'drop-ship-examples', version: 1 });
    assert.equal(
      decision.explanation.summary,
      'East China → Suzhou; drop-ship sup-hz-box (lines l2); queues: dropship; promised 2 days; rules: gift-box-supplier',
    );
  });

  it('lines a supplier rejected go to the warehouses, or to the next supplier a rule names (DS-2)', () => {
    const order = buildOrder({ lines: [line('l2', 'BOX-RED', { category: 'gift-box' })] });
    const boxStock = [stock('hangzhou', 'BOX-RED', 5)];
    const rejected = routeOrder(
      order,
      buildContext({ ruleSet: dropShipExampleRuleSet, stock: boxStock, excludedSuppliers: ['sup-hz-box'] }),
    );
    assert.deepEqual(
      rejected.shipments.map((s) => `${s.kind}:${s.locationId}`),
      ['warehouse:hangzhou'],
    );
    const nowhere = routeOrder(order, buildContext({ ruleSet: dropShipExampleRuleSet, excludedSuppliers: ['sup-hz-box'] }));
    assert.deepEqual(nowhere.shipments, []);
    assert.deepEqual(
      nowhere.unroutable.map((u) => u.lineId),
      ['l2'],
    );
    const backup: RuleInput = {
      id: 'backup-box-maker',
      name: 'a second box maker',
      priority: 20,
      when: { field: 'category', op: 'eq', value: 'gift-box' },
      then: [{ type: 'assignSupplier', supplierId: 'sup-nb-box', lines: { category: 'gift-box' } }],
    };
    const rules = { ...dropShipExampleRuleSet, rules: [...dropShipExampleRuleSet.rules, backup] };
    const next = routeOrder(order, buildContext({ ruleSet: rules, excludedSuppliers: ['sup-hz-box'] }));
    assert.deepEqual(
      next.shipments.map((s) => `${s.kind}:${s.locationId}`),
      ['supplier:sup-nb-box'],
    );
  });

  it('an order entirely drop-shipped looks at no warehouse', () => {
    const order = buildOrder({ lines: [line('l1', 'BOX-RED', { category: 'gift-box' })] });
    const decision = routeOrder(order, buildContext({ ruleSet: dropShipExampleRuleSet }));

    assert.deepEqual(decision.shipments, [{ kind: 'supplier', locationId: 'sup-hz-box', lineIds: ['l1'], promisedDeliveryDays: null }]);
    assert.deepEqual(decision.explanation.candidates, []);
    assert.deepEqual(decision.unroutable, []);
  });

  it('a warehouse excluded by a rule is skipped, and the explanation names the rule’s effect', () => {
    const rule: RuleInput = {
      id: 'pdd-not-suzhou',
      name: 'Pinduoduo never ships from Suzhou',
      priority: 5,
      when: { field: 'channel', op: 'eq', value: 'pinduoduo' },
      then: [{ type: 'excludeWarehouses', warehouseIds: ['suzhou'] }],
    };
    const decision = routeOrder(buildOrder({ channel: 'pinduoduo' }), buildContext({ ruleSet: ruleSet(rule), stock: plenty }));

    assert.deepEqual(shippedFrom(decision), ['hefei']);
    assert.equal(decision.explanation.candidates[0]?.status, 'EXCLUDED_BY_RULE');
    assert.deepEqual(decision.explanation.fallbacks, [{ from: 'suzhou', to: 'hefei', reason: 'EXCLUDED_BY_RULE' }]);
  });

  describe('requireWarehouse', () => {
    const rule: RuleInput = {
      id: 'luxe-hangzhou-only',
      name: 'Luxe ships only from Hangzhou',
      priority: 5,
      when: { field: 'brand', op: 'eq', value: 'luxe' },
      then: [{ type: 'requireWarehouse', warehouseId: 'hangzhou' }],
    };

    it('a required warehouse is the only candidate', () => {
      const decision = routeOrder(buildOrder({ brand: 'luxe' }), buildContext({ ruleSet: ruleSet(rule), stock: plenty }));

      assert.deepEqual(shippedFrom(decision), ['hangzhou']);
      assert.deepEqual(
        decision.explanation.candidates.map((c) => [c.warehouseId, c.source, c.ruleId]),
        [['hangzhou', 'required', 'luxe-hangzhou-only']],
      );
    });

    it('when the required warehouse is down the order is unroutable rather than shipped elsewhere', () => {
      const context = buildContext({ ruleSet: ruleSet(rule), stock: plenty, warehouses: withWarehouse('hangzhou', { enabled: false }) });
      const decision = routeOrder(buildOrder({ brand: 'luxe' }), context);

      assert.deepEqual(decision.shipments, []);
      assert.deepEqual(decision.unroutable, [
        {
          lineId: 'l1',
          sku: 'TS-001-M',
          reason: 'REQUIRED_WAREHOUSE_UNAVAILABLE',
          detail: 'rule luxe-hangzhou-only requires hangzhou, which is disabled',
        },
      ]);
      assert.deepEqual(decision.explanation.fallbacks, [{ from: 'hangzhou', to: null, reason: 'DISABLED' }]);
    });
  });

  it('rules run lowest priority first, the first setting wins, and stop ends evaluation', () => {
    const always = { field: 'lineCount', op: 'gte', value: 1 } as const;
    const rules: RuleInput[] = [
      { id: 'late', name: 'late', priority: 50, when: always, then: [{ type: 'setQueue', queue: 'bulky' }] },
      {
        id: 'first',
        name: 'first',
        priority: 1,
        when: always,
        then: [
          { type: 'setPriority', priority: 5 },
          { type: 'setQueue', queue: 'presale' },
        ],
      },
      { id: 'second', name: 'second', priority: 2, when: always, then: [{ type: 'setPriority', priority: 9 }], stop: true },
      { id: 'off', name: 'off', priority: 0, enabled: false, when: always, then: [{ type: 'setQueue', queue: 'expedite' }] },
    ];
    const decision = routeOrder(buildOrder(), buildContext({ ruleSet: ruleSet(...rules), stock: plenty }));

    assert.deepEqual(shippedFrom(decision), ['suzhou']);
    assert.equal(decision.priority, 5);
    assert.deepEqual(decision.queues, ['presale']);
    assert.deepEqual(
      decision.explanation.matchedRules.map((r) => r.id),
      ['first', 'second'],
    );
  });

  it('any, not and notIn combine; ne and notIn hold when no line matches', () => {
    const rule: RuleInput = {
      id: 'bulky-not-gifts',
      name: 'big non-gift orders are bulky',
      priority: 1,
      when: {
        all: [
          {
            any: [
              { field: 'amount', op: 'gt', value: 100_000 },
              { field: 'lineCount', op: 'gte', value: 3 },
            ],
          }, // amount in fen: > 1000.00
          { not: { field: 'tag', op: 'eq', value: 'gift' } },
          { field: 'category', op: 'notIn', value: ['gift-box', 'card'] },
          { field: 'province', op: 'eq', value: 'Shanghai' },
          { field: 'region', op: 'in', value: ['east', 'central'] },
        ],
      },
      then: [{ type: 'setQueue', queue: 'bulky' }],
    };
    const big = buildOrder({ amounts: { goods: 120_000, paid: 120_000 } });
    const context = buildContext({ ruleSet: ruleSet(rule), stock: plenty });

    assert.deepEqual(routeOrder(big, context).queues, ['bulky']);
    assert.deepEqual(routeOrder(buildOrder({ amounts: { goods: 120_000, paid: 120_000 }, tags: ['gift'] }), context).queues, []);
    assert.deepEqual(routeOrder(buildOrder(), context).queues, []);
  });
});
