import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Condition, RoutingRuleSetInput } from '../../../src/domain/routing/rules';
import { routeOrder } from '../../../src/domain/routing/route';
import { buildContext, buildOrder, shippedFrom, stock } from './helpers';

/** A one-rule set that expedites orders whose condition holds. */
function expediteWhen(when: Condition): RoutingRuleSetInput {
  return {
    id: 'clock',
    version: 1,
    rules: [{ id: 'clock-rule', name: 'clock rule', priority: 1, when, then: [{ type: 'setQueue', queue: 'expedite' }] }],
  };
}
const stocked = [stock('suzhou', 'TS-001-M', 10)];
const expedited = (when: Condition, createdAt: string) => {
  const decision = routeOrder(buildOrder({ createdAt }), buildContext({ ruleSet: expediteWhen(when), stock: stocked }));
  assert.deepEqual(shippedFrom(decision), ['suzhou']);
  return decision.queues.includes('expedite') && decision.explanation.matchedRules[0]?.id === 'clock-rule';
};

describe('clock rules name their time zone (IN-3)', () => {
  const morningShanghai: Condition = { field: 'createdAt', op: 'gte', value: { localTime: '09:00', timeZone: 'Asia/Shanghai' } };

  it('"created after 09:00 Asia/Shanghai" matches 01:30 UTC, which is 09:30 in Shanghai', () => {
    assert.equal(expedited(morningShanghai, '2026-02-03T01:30:00Z'), true);
  });

  it('"created after 09:00 Asia/Shanghai" does not match 00:30 UTC, which is 08:30 in Shanghai', () => {
    assert.equal(expedited(morningShanghai, '2026-02-03T00:30:00Z'), false);
  });

  it('a fixed +08:00 offset reads the same clock as Asia/Shanghai', () => {
    const before12: Condition = { field: 'createdAt', op: 'lt', value: { localTime: '12:00', timeZone: '+08:00' } };
    assert.equal(expedited(before12, '2026-02-03T03:59:00Z'), true);
    assert.equal(expedited(before12, '2026-02-03T04:01:00Z'), false);
  });

  it('a local date rolls over at local midnight, not UTC midnight', () => {
    const onFeb4: Condition = { field: 'createdAt', op: 'eq', value: { localDate: '2026-02-04', timeZone: 'Asia/Shanghai' } };
    assert.equal(expedited(onFeb4, '2026-02-03T16:30:00Z'), true);
    assert.equal(expedited(onFeb4, '2026-02-03T15:30:00Z'), false);
  });

  it('the host machine’s time zone never changes the outcome', () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'America/Los_Angeles';
      assert.equal(expedited(morningShanghai, '2026-02-03T01:30:00Z'), true);
      assert.equal(expedited(morningShanghai, '2026-02-03T00:30:00Z'), false);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});
