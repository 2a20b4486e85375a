import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conditionSchema, routingRuleSchema, routingRuleSetSchema, ruleLimits } from '../../../src/domain/routing/rules';

const leaf = { field: 'lineCount', op: 'gte', value: 1 };
const rule = (id: string, when: unknown) => ({ id, name: id, priority: 1, when, then: [{ type: 'setQueue', queue: 'bulky' }] });

/** A comparison wrapped in `nots` levels of `not`: `levels` condition levels counting the comparison. */
function notChain(levels: number): unknown {
  let condition: unknown = leaf;
  for (let i = 1; i < levels; i += 1) condition = { not: condition };
  return condition;
}

/** Parses a rule set of these rules; parsing must answer, never throw. */
function parseSet(...rules: unknown[]) {
  return routingRuleSetSchema.safeParse({ id: 'set', version: 1, rules });
}

const depthMessage = new RegExp(`at most ${ruleLimits.maxConditionDepth} levels`);
const sizeMessage = new RegExp(`at most ${ruleLimits.maxConditionNodes} conditions`);

describe('rule documents are bounded before the recursive parse', () => {
  it('the limits are 32 levels and 2000 conditions', () => {
    assert.deepEqual(ruleLimits, { maxConditionDepth: 32, maxConditionNodes: 2000 });
  });

  for (const levels of [2_000, 100_000]) {
    it(`a ${levels}-deep not chain is refused with the depth limit at the rule's condition, without throwing`, () => {
      const result = parseSet(rule('deep', notChain(levels)));
      assert.equal(result.success, false);
      assert.deepEqual(
        result.error?.issues.map((issue) => [issue.path, issue.message.match(depthMessage) !== null]),
        [[['rules', 0, 'when'], true]],
      );
    });
  }

  it('a deep chain is refused the same way when a rule or a condition is parsed alone', () => {
    const alone = routingRuleSchema.safeParse(rule('deep', notChain(100_000)));
    assert.deepEqual(
      alone.error?.issues.map((issue) => [issue.path, depthMessage.test(issue.message)]),
      [[['when'], true]],
    );
    const condition = conditionSchema.safeParse(notChain(100_000));
    assert.deepEqual(
      condition.error?.issues.map((issue) => [issue.path, depthMessage.test(issue.message)]),
      [[[], true]],
    );
  });

  it('a condition exactly at the depth limit is accepted, one level more is refused', () => {
    assert.equal(parseSet(rule('at-limit', notChain(ruleLimits.maxConditionDepth))).success, true);
    const over = parseSet(rule('over', notChain(ruleLimits.maxConditionDepth + 1)));
    assert.match(over.error?.issues[0]?.message ?? '', depthMessage);
  });

  it('nesting through all and any counts the same levels as not', () => {
    let condition: unknown = leaf;
    for (let i = 1; i < ruleLimits.maxConditionDepth; i += 1) condition = i % 2 ? { all: [condition, leaf] } : { any: [leaf, condition] };
    assert.equal(parseSet(rule('mixed', condition)).success, true);
    const over = parseSet(rule('mixed', { all: [condition] }));
    assert.match(over.error?.issues[0]?.message ?? '', depthMessage);
  });

  it('a very wide all is refused with the size limit, without throwing', () => {
    const result = parseSet(rule('wide', { all: Array.from({ length: 1_000_000 }, () => leaf) }));
    assert.deepEqual(
      result.error?.issues.map((issue) => [issue.path, sizeMessage.test(issue.message)]),
      [[['rules', 0, 'when'], true]],
    );
    const alone = conditionSchema.safeParse({ any: Array.from({ length: 100_000 }, () => leaf) });
    assert.match(alone.error?.issues[0]?.message ?? '', sizeMessage);
  });

  it('a rule set at the size limit is accepted; one condition more, in any rule, is refused at that rule', () => {
    // 20 rules of { all: [99 comparisons] } are 20 × 100 = 2000 conditions.
    const rules = Array.from({ length: 20 }, (_, i) => rule(`r${i}`, { all: Array.from({ length: 99 }, () => leaf) }));
    assert.equal(parseSet(...rules).success, true);
    const result = parseSet(...rules, rule('one-more', leaf));
    assert.deepEqual(
      result.error?.issues.map((issue) => [issue.path, sizeMessage.test(issue.message)]),
      [[['rules', 20, 'when'], true]],
    );
  });

  it('a refused document is answered quickly: the walk stops at the limit', () => {
    const chain = notChain(100_000);
    const wide = { any: Array.from({ length: 1_000_000 }, () => leaf) };
    const rules = Array.from({ length: 1000 }, (_, i) => rule(`r${i}`, i % 2 ? chain : wide));
    const started = performance.now();
    const result = parseSet(...rules);
    assert.equal(result.success, false);
    assert.ok(performance.now() - started < 500, `parsing took ${performance.now() - started} ms`);
  });

  it('ordinary validation errors still name their paths under the limits', () => {
    const result = parseSet(rule('typo', { all: [leaf, { field: 'lineCount', op: 'gte', value: 'many' }] }));
    assert.deepEqual(
      result.error?.issues.map((issue) => issue.path),
      [['rules', 0, 'when', 'all', 1, 'value']],
    );
  });
});
