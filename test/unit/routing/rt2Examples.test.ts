import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rt2ExampleRuleSet } from '../../../src/domain/routing/examples';
import { routeOrder } from '../../../src/domain/routing/route';
import { buildContext, buildOrder, line, shippedFrom, stock } from './helpers';

const ruleIds = (decision: ReturnType<typeof routeOrder>) => decision.explanation.matchedRules.map((r) => r.id);
const everywhere = (sku: string) => ['suzhou', 'hefei', 'hangzhou', 'beijing'].map((w) => stock(w, sku, 100));

describe('RT-2 seed rules, as written', () => {
  it('channel = Douyin AND category = onesie ⇒ Hangzhou, even for a buyer in Beijing', () => {
    const order = buildOrder({ channel: 'douyin', province: '北京市', lines: [line('l1', 'ON-01-66', { category: 'onesie' })] });
    const decision = routeOrder(order, buildContext({ ruleSet: rt2ExampleRuleSet, stock: everywhere('ON-01-66') }));

    assert.deepEqual(shippedFrom(decision), ['hangzhou']);
    assert.deepEqual(ruleIds(decision), ['douyin-onesie-hangzhou']);
    assert.deepEqual(decision.explanation.candidates[0], {
      warehouseId: 'hangzhou',
      source: 'preferred',
      ruleId: 'douyin-onesie-hangzhou',
      status: 'AVAILABLE',
      stock: [
        { sku: 'ON-01-66', quantity: 1, onHand: 100, reserved: 0, available: 100, safetyThreshold: 0, remainingAfter: 99, verdict: 'OK' },
      ],
    });
    assert.equal(decision.promisedDeliveryDays, 3);
    assert.equal(
      decision.explanation.summary,
      'North China via rule douyin-onesie-hangzhou → Hangzhou; promised 3 days; rules: douyin-onesie-hangzhou',
    );
  });

  it('the same onesie from Tmall follows the matrix', () => {
    const order = buildOrder({ channel: 'tmall', province: '北京市', lines: [line('l1', 'ON-01-66', { category: 'Onesie' })] });
    const decision = routeOrder(order, buildContext({ ruleSet: rt2ExampleRuleSet, stock: everywhere('ON-01-66') }));

    assert.deepEqual(shippedFrom(decision), ['beijing']);
    assert.deepEqual(ruleIds(decision), []);
  });

  describe('channel = mini-program AND paid AND ordered before 2026-02-03 12:00 (UTC+8) ⇒ VIP expedite', () => {
    const miniOrder = (paidAt: string) =>
      buildOrder({ channel: 'miniprogram', createdAt: '2026-02-03T03:00:00Z', paidAt, lines: [line('l1', 'TS-001-M')] });
    const context = buildContext({ ruleSet: rt2ExampleRuleSet, stock: everywhere('TS-001-M'), now: '2026-02-03T04:30:00Z' });

    it('an order paid at 03:59 UTC (11:59 in UTC+8) is expedited as VIP', () => {
      const decision = routeOrder(miniOrder('2026-02-03T03:59:00Z'), context);

      assert.deepEqual(shippedFrom(decision), ['suzhou']);
      assert.deepEqual(decision.queues, ['expedite']);
      assert.equal(decision.priority, 1);
      assert.deepEqual(ruleIds(decision), ['miniprogram-vip-expedite']);
      assert.match(decision.explanation.summary, /queues: expedite/);
    });

    it('an order paid at 04:01 UTC (12:01 in UTC+8) is not', () => {
      const decision = routeOrder(miniOrder('2026-02-03T04:01:00Z'), context);

      assert.deepEqual(shippedFrom(decision), ['suzhou']);
      assert.deepEqual(decision.queues, []);
      assert.equal(decision.priority, 100);
      assert.deepEqual(ruleIds(decision), []);
    });

    it('the channel’s own offset does not matter: 11:59+08:00 written with its offset still matches', () => {
      const decision = routeOrder(miniOrder('2026-02-03T11:59:00+08:00'), context);

      assert.deepEqual(decision.queues, ['expedite']);
    });

    it('an unpaid order is not expedited', () => {
      const unpaid = buildOrder({ channel: 'miniprogram', paymentStatus: 'unpaid', paidAt: undefined });
      const decision = routeOrder(unpaid, context);

      assert.deepEqual(decision.queues, []);
      assert.deepEqual(ruleIds(decision), []);
    });
  });

  describe('style starts with FJ AND due ≤ 3 days ⇒ quick-response line, flagged red', () => {
    const fjOrder = (tags: string[] = []) => buildOrder({ tags, lines: [line('l1', 'FJ2024-RED-L')] });

    it('an FJ order due in under 3 days (from a due: tag) goes to the quick-response line, flagged red', () => {
      const decision = routeOrder(
        fjOrder(['due:2026-02-05T18:00:00+08:00']),
        buildContext({ ruleSet: rt2ExampleRuleSet, stock: everywhere('FJ2024-RED-L') }),
      );

      assert.deepEqual(shippedFrom(decision), ['suzhou']);
      assert.deepEqual(decision.queues, ['quick-response']);
      assert.deepEqual(decision.flags, [{ color: 'red', note: 'FJ style due within 3 days', ruleId: 'fj-quick-response' }]);
      assert.deepEqual(ruleIds(decision), ['fj-quick-response']);
      assert.match(decision.explanation.summary, /flagged red: FJ style due within 3 days/);
    });

    it('the context’s dueAt wins over the tag: due in 5 days is not quick response', () => {
      const context = buildContext({ ruleSet: rt2ExampleRuleSet, stock: everywhere('FJ2024-RED-L'), dueAt: '2026-02-08T10:30:00+08:00' });
      const decision = routeOrder(fjOrder(['due:2026-02-04T10:00:00+08:00']), context);

      assert.deepEqual(decision.queues, []);
      assert.deepEqual(decision.flags, []);
    });

    it('an FJ order without any due date is not quick response', () => {
      const decision = routeOrder(fjOrder(), buildContext({ ruleSet: rt2ExampleRuleSet, stock: everywhere('FJ2024-RED-L') }));

      assert.deepEqual(ruleIds(decision), []);
    });
  });

  describe('≥ 5 size combinations ⇒ BOM check', () => {
    const sizes = (skus: string[]) => buildOrder({ lines: skus.map((sku, i) => line(`l${i + 1}`, sku)) });
    const allSizes = ['S', 'M', 'L', 'XL', 'XXL'].flatMap((size) => everywhere(`TS-001-${size}`));

    it('an order with five distinct sizes goes to BOM check', () => {
      const decision = routeOrder(
        sizes(['TS-001-S', 'TS-001-M', 'TS-001-L', 'TS-001-XL', 'TS-001-XXL']),
        buildContext({ ruleSet: rt2ExampleRuleSet, stock: allSizes }),
      );

      assert.deepEqual(shippedFrom(decision), ['suzhou']);
      assert.deepEqual(decision.queues, ['bom-check']);
      assert.deepEqual(ruleIds(decision), ['bom-check-5-sizes']);
    });

    it('five lines of only four distinct SKUs do not', () => {
      const decision = routeOrder(
        sizes(['TS-001-S', 'TS-001-M', 'TS-001-L', 'TS-001-XL', 'TS-001-XL']),
        buildContext({ ruleSet: rt2ExampleRuleSet, stock: allSizes }),
      );

      assert.deepEqual(decision.queues, []);
      assert.deepEqual(decision.shipments, [
        { kind: 'warehouse', locationId: 'suzhou', lineIds: ['l1', 'l2', 'l3', 'l4', 'l5'], promisedDeliveryDays: 1 },
      ]);
    });
  });
});
