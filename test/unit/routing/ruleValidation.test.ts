import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routingContextSchema } from '../../../src/domain/routing/context';
import { dropShipExampleRuleSet, exampleRegionPriority, exampleWarehouses, rt2ExampleRuleSet } from '../../../src/domain/routing/examples';
import { routingRuleSchema, routingRuleSetSchema } from '../../../src/domain/routing/rules';

const rule = (when: unknown, then: unknown = [{ type: 'setQueue', queue: 'expedite' }]) => ({
  id: 'r1',
  name: 'rule',
  priority: 1,
  when,
  then,
});
/** The first issue of a rule set holding this rule, as [path, message]. */
function firstIssue(candidate: unknown): [PropertyKey[], string] {
  const result = routingRuleSetSchema.safeParse({ id: 'set', version: 1, rules: [candidate] });
  assert.equal(result.success, false, 'the rule should be rejected');
  const issue = result.error?.issues[0];
  return [issue?.path ?? [], issue?.message ?? ''];
}

describe('rule validation rejects bad rules with a path', () => {
  it('the RT-2 and drop-ship examples are valid rule sets', () => {
    assert.equal(routingRuleSetSchema.safeParse(rt2ExampleRuleSet).success, true);
    assert.equal(routingRuleSetSchema.safeParse(dropShipExampleRuleSet).success, true);
    assert.deepEqual(
      rt2ExampleRuleSet.rules.map((r) => r.id),
      ['douyin-onesie-hangzhou', 'miniprogram-vip-expedite', 'fj-quick-response', 'bom-check-5-sizes'],
    );
  });

  it('a number comparison with a text value points at the value', () => {
    const [path, message] = firstIssue(
      rule({
        all: [
          { field: 'channel', op: 'eq', value: 'douyin' },
          { field: 'amount', op: 'gt', value: 'lots' },
        ],
      }),
    );
    assert.deepEqual(path, ['rules', 0, 'when', 'all', 1, 'value']);
    assert.equal(message, 'amount gt expects a single number');
  });

  it('an amount is compared in minor units (fen), so a decimal amount is refused and a whole one accepted', () => {
    const [path, message] = firstIssue(rule({ field: 'amount', op: 'gte', value: 999.5 }));
    assert.deepEqual(path, ['rules', 0, 'when', 'value']);
    assert.match(message, /minor units/);
    assert.match(firstIssue(rule({ field: 'amount', op: 'in', value: [100, 0.5] }))[1], /minor units/);
    assert.equal(routingRuleSchema.safeParse(rule({ field: 'amount', op: 'gte', value: 99_950 })).success, true);
  });

  it('an operator that does not fit the field points at the operator', () => {
    const [path, message] = firstIssue(rule({ not: { field: 'sku', op: 'gt', value: 'FJ' } }));
    assert.deepEqual(path, ['rules', 0, 'when', 'not', 'op']);
    assert.match(message, /gt does not apply to sku/);
  });

  it('an instant without an explicit offset is rejected (IN-3)', () => {
    const [path, message] = firstIssue(rule({ field: 'paidAt', op: 'lt', value: '2026-02-03T12:00:00' }));
    assert.deepEqual(path, ['rules', 0, 'when', 'value']);
    assert.match(message, /explicit offset/);
  });

  it('a clock rule without a valid time zone is rejected', () => {
    const [badZonePath] = firstIssue(rule({ field: 'paidAt', op: 'lt', value: { localTime: '12:00', timeZone: 'Beijing' } }));
    assert.deepEqual(badZonePath, ['rules', 0, 'when', 'value', 'timeZone']);
    const [noZonePath, message] = firstIssue(rule({ field: 'paidAt', op: 'lt', value: { localTime: '12:00' } }));
    assert.deepEqual(noZonePath, ['rules', 0, 'when']);
    assert.match(message, /^not a condition: value: .*\{ localTime, timeZone \}/);
  });

  it('a misspelt channel is caught when the rule is saved', () => {
    const [path, message] = firstIssue(rule({ field: 'channel', op: 'in', value: ['douyin', 'mini-program'] }));
    assert.deepEqual(path, ['rules', 0, 'when', 'value']);
    assert.match(message, /"mini-program" is not a known channel/);
  });

  it('an unknown field is reported at its condition with the inner path in the message', () => {
    const [path, message] = firstIssue(rule({ any: [{ field: 'colour', op: 'eq', value: 'red' }] }));
    assert.deepEqual(path, ['rules', 0, 'when']);
    assert.match(message, /^not a condition: any\.0\.field: /);
  });

  it('an unknown queue in an action points at the queue', () => {
    const [path] = firstIssue(rule({ field: 'lineCount', op: 'gte', value: 1 }, [{ type: 'setQueue', queue: 'vip' }]));
    assert.deepEqual(path, ['rules', 0, 'then', 0, 'queue']);
  });

  it('a rule without actions, or with unknown keys, is rejected', () => {
    assert.deepEqual(firstIssue(rule({ field: 'lineCount', op: 'gte', value: 1 }, []))[0], ['rules', 0, 'then']);
    assert.equal(routingRuleSchema.safeParse({ ...rule({ field: 'lineCount', op: 'gte', value: 1 }), stopp: true }).success, false);
  });

  it('duplicate rule ids point at the second one', () => {
    const ok = rule({ field: 'lineCount', op: 'gte', value: 1 });
    const result = routingRuleSetSchema.safeParse({ id: 'set', version: 1, rules: [ok, ok] });
    assert.deepEqual(
      result.error?.issues.map((i) => i.path),
      [['rules', 1, 'id']],
    );
  });

  it('a routing context with duplicate warehouses is rejected', () => {
    const result = routingContextSchema.safeParse({
      ruleSet: rt2ExampleRuleSet,
      warehouses: [...exampleWarehouses, exampleWarehouses[0]],
      regionPriority: exampleRegionPriority,
      stock: [],
      now: '2026-02-03T02:30:00Z',
    });
    assert.deepEqual(
      result.error?.issues.map((i) => i.path),
      [['warehouses', exampleWarehouses.length, 'id']],
    );
  });
});
