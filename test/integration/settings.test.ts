/** Run-time settings over real HTTP: rules edited through the API route the next order, edits are validated and versioned. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RoutingDecision } from '../../src/domain/routing/decision';
import { makeOrder, paid, toCanonical } from '../fixtures/orders';
import { seedHub, testNetwork } from '../fixtures/network';
import { eventually, OPS_KEY, startHarness, type Harness } from './harness';
import { lifecycle } from './lifecycleSupport';

/** Douyin onesies ship from Hefei (the RT-2 example, adapted to the test network). */
const douyinOnesiesFromHefei = {
  id: 'douyin-onesies-hefei',
  name: 'Douyin onesies ship from Hefei',
  priority: 5,
  when: {
    all: [
      { field: 'channel', op: 'eq', value: 'douyin' },
      { field: 'category', op: 'eq', value: 'onesie' },
    ],
  },
  then: [{ type: 'requireWarehouse', warehouseId: 'hefei' }],
};

const onesieOrder = () =>
  paid(
    makeOrder({
      channel: 'douyin',
      lines: [{ lineId: 'L1', sku: 'ONESIE-1', category: 'onesie', quantity: 1, unitPrice: 129, listPrice: 129 }],
      amounts: { goods: 129, shipping: 0, discount: 0, paid: 129 },
    }),
  );

describe('run-time settings', () => {
  let hub: Harness;
  let steps: ReturnType<typeof lifecycle>;
  before(async () => {
    hub = await startHarness('settings');
    steps = lifecycle(hub);
    await seedHub(hub, { stock: { 'ONESIE-1@suzhou': 50, 'ONESIE-1@hefei': 50, 'TEE-7@suzhou': 50, 'TEE-7@hefei': 50 } });
  });
  after(async () => {
    await hub?.stop();
  });

  test('a routing rule saved through the API routes the next order, without a restart, and the decision names it', async () => {
    const before = await steps.waitFor(await steps.submit(onesieOrder()), 'FULFILLING');
    assert.equal(before.shipments[0]!.locationId, 'suzhou');

    const current = await hub.ops('GET', '/v1/settings/routing-rules');
    assert.equal(current.status, 200);
    const saved = await hub.ops('PUT', '/v1/settings/routing-rules', {
      expectedVersion: current.body.version,
      body: { id: 'test-rules', rules: [douyinOnesiesFromHefei] },
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal(saved.body.version, current.body.version + 1);
    assert.equal(saved.body.body.version, saved.body.version, 'the rule set carries its settings version');
    assert.equal(saved.body.actor, 'ops-tester');

    const after = await steps.waitFor(await steps.submit(onesieOrder()), 'FULFILLING');
    assert.equal(after.shipments[0]!.locationId, 'hefei');
    const decision = after.routing!.decision as RoutingDecision;
    assert.deepEqual(
      decision.explanation.matchedRules.map((r) => r.id),
      ['douyin-onesies-hefei'],
    );
    assert.deepEqual(decision.explanation.ruleSet, { id: 'test-rules', version: saved.body.version });
  });

  test('what-if returns the warehouse and the explanation, and reserves nothing', async () => {
    const order = paid(
      makeOrder({
        lines: [{ lineId: 'L1', sku: 'TEE-7', category: 'tshirt', quantity: 2, unitPrice: 59, listPrice: 59 }],
        amounts: { goods: 118, shipping: 0, discount: 0, paid: 118 },
      }),
    );
    const before = await Promise.all([steps.balance('TEE-7', 'suzhou'), steps.balance('TEE-7', 'hefei')]);

    // What-if is an operations endpoint: it takes the canonical order, amounts in minor units.
    const answer = await hub.ops('POST', '/v1/routing/what-if', { order: toCanonical(order) });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const decision = answer.body as RoutingDecision;
    assert.deepEqual(decision.shipments, [{ kind: 'warehouse', locationId: 'suzhou', lineIds: ['L1'], promisedDeliveryDays: 1 }]);
    assert.equal(decision.explanation.region, 'east');
    assert.equal(decision.explanation.candidates[0]!.warehouseId, 'suzhou');
    assert.deepEqual(
      decision.explanation.candidates[0]!.stock.map((s) => [s.sku, s.available, s.verdict]),
      [['TEE-7', 50, 'OK']],
    );
    assert.match(decision.explanation.summary, /→ Suzhou DC; promised 1 day/);

    assert.deepEqual(await Promise.all([steps.balance('TEE-7', 'suzhou'), steps.balance('TEE-7', 'hefei')]), before);
    assert.equal(await hub.db.models.StockEntry.countDocuments({ orderId: decision.orderId }), 0);
  });

  test('what-if for a received order reads it from the read model; an unknown order is 404', async () => {
    const order = makeOrder({
      channel: 'douyin',
      lines: [{ lineId: 'L1', sku: 'ONESIE-1', category: 'onesie', quantity: 1, unitPrice: 129, listPrice: 129 }],
      amounts: { goods: 129, shipping: 0, discount: 0, paid: 129 },
    });
    const orderId = await steps.submit(order);
    const answer = await eventually(async () => {
      const found = await hub.ops('POST', '/v1/routing/what-if', { orderId });
      return found.status === 200 ? found : undefined;
    }, 'the order in the read model');
    assert.equal(answer.body.orderId, orderId);
    assert.equal(answer.body.shipments[0].locationId, 'hefei', 'the douyin onesie rule applies');
    assert.equal(await hub.db.models.StockEntry.countDocuments({ orderId }), 0);

    const missing = await hub.ops('POST', '/v1/routing/what-if', { orderId: 'tmall-nope' });
    assert.equal(missing.status, 404);
    const both = await hub.ops('POST', '/v1/routing/what-if', { orderId, order });
    assert.equal(both.status, 400);
  });

  test('settings with a bad body are refused with 400 naming the field paths, and no version is saved', async () => {
    const before = (await hub.ops('GET', '/v1/settings/network/history')).body.items.length;
    const badWarehouse = { ...testNetwork.warehouses[0], dailyCapacity: -1 };
    const network = await hub.ops('PUT', '/v1/settings/network', {
      body: { ...testNetwork, warehouses: [badWarehouse, ...testNetwork.warehouses.slice(1)] },
    });
    assert.equal(network.status, 400);
    assert.equal(network.body.error.code, 'VALIDATION');
    assert.deepEqual(
      network.body.error.details.map((d: { path: string }) => d.path),
      ['body.warehouses.0.dailyCapacity'],
    );

    const badRule = { ...douyinOnesiesFromHefei, then: [{ type: 'requireWarehouse' }] };
    const rules = await hub.ops('PUT', '/v1/settings/routing-rules', { body: { id: 'test-rules', rules: [badRule, badRule] } });
    assert.equal(rules.status, 400);
    const paths = rules.body.error.details.map((d: { path: string }) => d.path);
    assert.ok(paths.includes('body.rules.0.then.0.warehouseId'), paths.join(', '));

    const policy = await hub.ops('PUT', '/v1/settings/order-policy', { body: { base: { lockStrategy: 'whenever' } } });
    assert.equal(policy.status, 400);
    assert.deepEqual(
      policy.body.error.details.map((d: { path: string }) => d.path),
      ['body.base.lockStrategy'],
    );

    assert.equal((await hub.ops('GET', '/v1/settings/network/history')).body.items.length, before);
  });

  test('a rule nested thousands deep or thousands wide is refused with 400 naming the limit, never a 500', async () => {
    const before = (await hub.ops('GET', '/v1/settings/routing-rules')).body.version;
    const leaf = JSON.stringify({ field: 'lineCount', op: 'gte', value: 1 });
    // Written as text: JSON.stringify itself overflows the stack on a 100,000-deep object.
    const chain = (levels: number) => `${'{"not":'.repeat(levels - 1)}${leaf}${'}'.repeat(levels - 1)}`;
    const wide = `{"all":[${Array.from({ length: 5_000 }, () => leaf).join(',')}]}`;
    const ruleText = (when: string) => JSON.stringify({ ...douyinOnesiesFromHefei, when: '$WHEN' }).replace('"$WHEN"', () => when);
    for (const [when, limit] of [
      [chain(2_000), /at most 32 levels/],
      [chain(100_000), /at most 32 levels/],
      [wide, /at most 2000 conditions/],
    ] as const) {
      const raw = `{"body":{"id":"test-rules","rules":[${ruleText(when)}]}}`;
      const answer = await hub.request('PUT', '/v1/settings/routing-rules', raw, { 'x-api-key': OPS_KEY });
      assert.equal(answer.status, 400, JSON.stringify(answer.body).slice(0, 300));
      assert.deepEqual(
        answer.body.error.details.map((d: { path: string }) => d.path),
        ['body.rules.0.when'],
      );
      assert.match(answer.body.error.details[0].message, limit);
    }
    assert.equal((await hub.ops('GET', '/v1/settings/routing-rules')).body.version, before);
  });

  test('an edit based on a stale version is refused with 409 SETTINGS_CONFLICT and changes nothing', async () => {
    const current = await hub.ops('GET', '/v1/settings/order-policy');
    const body = { ...current.body.body, base: { ...current.body.body.base, paymentTimeoutSeconds: 900 } };
    const first = await hub.ops('PUT', '/v1/settings/order-policy', { expectedVersion: current.body.version, body });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.version, current.body.version + 1);

    const stale = await hub.ops('PUT', '/v1/settings/order-policy', {
      expectedVersion: current.body.version,
      body: { ...body, base: { ...body.base, paymentTimeoutSeconds: 60 } },
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.error.code, 'SETTINGS_CONFLICT');
    const latest = await hub.ops('GET', '/v1/settings/order-policy');
    assert.equal(latest.body.version, first.body.version);
    assert.equal(latest.body.body.base.paymentTimeoutSeconds, 900);
  });

  test('the escalation policy starts at the seeds, saves durations as seconds, and keeps every version', async () => {
    const current = await hub.ops('GET', '/v1/settings/escalation-policy');
    assert.equal(current.status, 200);
    assert.deepEqual([current.body.version, current.body.actor], [0, 'default']);
    assert.deepEqual([current.body.body.base.es1.after, current.body.body.base.es5b.after], [7200, 3600]);

    const body = {
      base: { es2: { after: '3h' } },
      overrides: [{ id: 'suzhou', location: { kind: 'warehouse', id: 'suzhou' }, settings: { es3: { after: 'PT6H', pause: false } } }],
    };
    const saved = await hub.ops('PUT', '/v1/settings/escalation-policy', { expectedVersion: 0, body });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.deepEqual([saved.body.version, saved.body.actor], [1, 'ops-tester']);
    assert.equal(saved.body.body.base.es2.after, 3 * 3600);
    assert.equal(saved.body.body.base.es1.after, 7200, 'what the edit leaves out is the default');
    assert.deepEqual(saved.body.body.overrides[0].settings, { es3: { after: 6 * 3600, pause: false } });

    const stale = await hub.ops('PUT', '/v1/settings/escalation-policy', { expectedVersion: 0, body: { base: {} } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.error.code, 'SETTINGS_CONFLICT');

    const history = await hub.ops('GET', '/v1/settings/escalation-policy/history');
    assert.deepEqual(
      history.body.items.map((i: { version: number }) => i.version),
      [1],
    );
    assert.equal((await hub.ops('GET', '/v1/settings/escalation-policy')).body.body.base.es2.after, 3 * 3600);
  });

  test('an escalation policy with a bad duration or recipient is refused with 400 naming the paths, and no version is saved', async () => {
    const before = (await hub.ops('GET', '/v1/settings/escalation-policy')).body.version;
    const answer = await hub.ops('PUT', '/v1/settings/escalation-policy', {
      body: {
        base: { es2: { after: 'soon' } },
        overrides: [{ id: 'acme', brand: 'acme', settings: { es5: { notify: [{ channel: 'sms', to: 'the lead' }] } } }],
      },
    });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.code, 'VALIDATION');
    const details = answer.body.error.details as Array<{ path: string; message: string }>;
    assert.deepEqual(
      details.map((d) => d.path),
      ['body.base.es2.after', 'body.overrides.0.settings.es5.notify.0.to'],
    );
    assert.match(details[0]!.message, /^expected a duration such as 30m, 2h, 1d/);
    assert.equal((await hub.ops('GET', '/v1/settings/escalation-policy')).body.version, before);
  });

  test('the return policy starts with everything returnable, saves brand terms with durations as seconds, and keeps every version', async () => {
    const current = await hub.ops('GET', '/v1/settings/return-policy');
    assert.equal(current.status, 200);
    assert.deepEqual([current.body.version, current.body.actor], [0, 'default']);
    assert.deepEqual(current.body.body, {
      base: {
        notReturnable: [],
        freeReturn: false,
        lightWearDeductionPercent: 0,
        refundSettlementAlertSeconds: 86_400,
        exchangeAllowed: true,
      },
      overrides: [],
    });

    const body = {
      base: { notReturnable: [{ category: 'underwear', note: 'hygiene' }], lightWearDeductionPercent: 10 },
      overrides: [
        {
          id: 'acme',
          brand: 'acme',
          settings: { freeReturn: true, refundSettlementAlertSeconds: '2d', notReturnable: [{ skuPrefix: 'CUSTOM-' }] },
        },
      ],
    };
    const saved = await hub.ops('PUT', '/v1/settings/return-policy', { expectedVersion: 0, body });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.deepEqual([saved.body.version, saved.body.actor], [1, 'ops-tester']);
    assert.equal(saved.body.body.base.refundSettlementAlertSeconds, 86_400, 'what the edit leaves out is the default');
    assert.deepEqual(saved.body.body.overrides[0].settings, {
      freeReturn: true,
      refundSettlementAlertSeconds: 2 * 86_400,
      notReturnable: [{ skuPrefix: 'CUSTOM-' }],
    });

    const stale = await hub.ops('PUT', '/v1/settings/return-policy', { expectedVersion: 0, body: { base: {} } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.error.code, 'SETTINGS_CONFLICT');
    const history = await hub.ops('GET', '/v1/settings/return-policy/history');
    assert.deepEqual(
      history.body.items.map((i: { version: number }) => i.version),
      [1],
    );
    assert.deepEqual((await hub.stores.returnPolicy.latest()).body.base.notReturnable, [{ category: 'underwear', note: 'hygiene' }]);
  });

  test('a return policy with a rule naming nothing, a share over 100 or a bad duration is refused with 400 naming the paths', async () => {
    const before = (await hub.ops('GET', '/v1/settings/return-policy')).body.version;
    const answer = await hub.ops('PUT', '/v1/settings/return-policy', {
      body: {
        base: { notReturnable: [{ note: 'no prefix, no category' }], lightWearDeductionPercent: 120 },
        overrides: [{ id: 'acme', brand: 'acme', settings: { refundSettlementAlertSeconds: 'soon' } }],
      },
    });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.code, 'VALIDATION');
    assert.deepEqual(
      answer.body.error.details.map((d: { path: string }) => d.path),
      [
        'body.base.notReturnable.0.skuPrefix',
        'body.base.lightWearDeductionPercent',
        'body.overrides.0.settings.refundSettlementAlertSeconds',
      ],
    );
    assert.equal((await hub.ops('GET', '/v1/settings/return-policy')).body.version, before);
  });

  test('every saved version stays in the history, newest first, with who saved it and when', async () => {
    const seeded = await hub.ops('GET', '/v1/settings/network');
    for (const capacity of [8_000, 9_000]) {
      const warehouses = testNetwork.warehouses.map((w) => (w.id === 'guangzhou' ? { ...w, dailyCapacity: capacity } : w));
      assert.equal((await hub.ops('PUT', '/v1/settings/network', { body: { ...testNetwork, warehouses } })).status, 200);
    }
    const history = await hub.ops('GET', '/v1/settings/network/history?limit=10');
    assert.equal(history.status, 200);
    const items = history.body.items as Array<{ version: number; actor: string; at: string; body: typeof testNetwork }>;
    assert.deepEqual(
      items.map((i) => i.version),
      [seeded.body.version + 2, seeded.body.version + 1, seeded.body.version],
    );
    assert.deepEqual(
      items.map((i) => i.actor),
      ['ops-tester', 'ops-tester', 'test'],
    );
    assert.deepEqual(
      items.map((i) => i.body.warehouses.find((w) => w.id === 'guangzhou')!.dailyCapacity),
      [9_000, 8_000, 10_000],
    );
    assert.ok(items.every((i) => !Number.isNaN(Date.parse(i.at))));
    assert.equal((await hub.ops('GET', '/v1/settings/network/history?limit=1')).body.items.length, 1);
  });
});
