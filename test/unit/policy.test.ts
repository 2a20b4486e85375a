import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultOrderPolicy, orderPolicySchema, policyOverrideSchema, resolvePolicy, type PolicyOverride } from '../../src/domain/policy';

const order = { brand: 'acme', channel: 'douyin' } as const;

function override(input: unknown): PolicyOverride {
  return policyOverrideSchema.parse(input);
}

function pathsOf(result: { error?: { issues: Array<{ path: PropertyKey[] }> } }): PropertyKey[][] {
  return result.error?.issues.map((issue) => issue.path) ?? [];
}

test('an empty policy document gets every default from the requirements', () => {
  const policy = orderPolicySchema.parse({});
  assert.deepEqual(
    [
      policy.paymentTimeoutSeconds,
      policy.lockStrategy,
      policy.returnWindowSeconds,
      policy.outOfStockAction,
      policy.risk.highValueFirstOrder.firstOrderAmountThreshold,
    ],
    [1800, 'onPayment', 604800, 'hold', 500_000],
  );
});

test('a policy with an unknown lock strategy is rejected at lockStrategy', () => {
  assert.deepEqual(pathsOf(orderPolicySchema.safeParse({ lockStrategy: 'sometimes' })), [['lockStrategy']]);
});

test('a policy with a nested bad value is rejected at its full path', () => {
  const result = orderPolicySchema.safeParse({ risk: { buyerOrderBurst: { maxOrders: 0 } } });
  assert.deepEqual(pathsOf(result), [['risk', 'buyerOrderBurst', 'maxOrders']]);
});

test('a policy with a misspelt setting is rejected rather than ignored', () => {
  const result = orderPolicySchema.safeParse({ paymentTimeoutSecond: 600 });
  assert.equal(result.success, false);
});

test('an order no override matches gets the base policy', () => {
  const resolved = resolvePolicy(
    defaultOrderPolicy,
    [override({ id: 'jd', channel: 'jd', settings: { paymentTimeoutSeconds: 600 } })],
    order,
  );
  assert.deepEqual(resolved, { policy: defaultOrderPolicy, appliedOverrideIds: [] });
});

test("a channel override applies to that channel's orders", () => {
  const resolved = resolvePolicy(
    defaultOrderPolicy,
    [override({ id: 'douyin', channel: 'douyin', settings: { paymentTimeoutSeconds: 900 } })],
    order,
  );
  assert.equal(resolved.policy.paymentTimeoutSeconds, 900);
});

test('an override for another brand does not apply', () => {
  const resolved = resolvePolicy(
    defaultOrderPolicy,
    [override({ id: 'other', brand: 'other', settings: { paymentTimeoutSeconds: 900 } })],
    order,
  );
  assert.deepEqual(resolved.appliedOverrideIds, []);
});

test('a brand override beats a channel override', () => {
  const overrides = [
    override({ id: 'acme', brand: 'acme', settings: { paymentTimeoutSeconds: 1200 } }),
    override({ id: 'douyin', channel: 'douyin', settings: { paymentTimeoutSeconds: 900 } }),
  ];
  assert.equal(resolvePolicy(defaultOrderPolicy, overrides, order).policy.paymentTimeoutSeconds, 1200);
});

test('a brand-and-channel override beats a brand override', () => {
  const overrides = [
    override({ id: 'acme-douyin', brand: 'acme', channel: 'douyin', settings: { paymentTimeoutSeconds: 300 } }),
    override({ id: 'acme', brand: 'acme', settings: { paymentTimeoutSeconds: 1200 } }),
  ];
  assert.equal(resolvePolicy(defaultOrderPolicy, overrides, order).policy.paymentTimeoutSeconds, 300);
});

test('applied override ids are listed from least to most specific', () => {
  const overrides = [
    override({ id: 'acme-douyin', brand: 'acme', channel: 'douyin', settings: {} }),
    override({ id: 'acme', brand: 'acme', settings: {} }),
    override({ id: 'douyin', channel: 'douyin', settings: {} }),
  ];
  assert.deepEqual(resolvePolicy(defaultOrderPolicy, overrides, order).appliedOverrideIds, ['douyin', 'acme', 'acme-douyin']);
});

test('an override changing one nested setting keeps its siblings', () => {
  const overrides = [override({ id: 'douyin', channel: 'douyin', settings: { risk: { buyerOrderBurst: { maxOrders: 3 } } } })];
  const burst = resolvePolicy(defaultOrderPolicy, overrides, order).policy.risk.buyerOrderBurst;
  assert.deepEqual(burst, { enabled: true, maxOrders: 3, windowSeconds: 600 });
});

test('settings from less specific overrides survive where a more specific one is silent', () => {
  const overrides = [
    override({ id: 'douyin', channel: 'douyin', settings: { lockStrategy: 'preOccupy' } }),
    override({ id: 'acme', brand: 'acme', settings: { paymentTimeoutSeconds: 1200 } }),
  ];
  const { policy } = resolvePolicy(defaultOrderPolicy, overrides, order);
  assert.deepEqual([policy.lockStrategy, policy.paymentTimeoutSeconds], ['preOccupy', 1200]);
});

test('an override replaces a keyword list rather than adding to it', () => {
  const overrides = [override({ id: 'acme', brand: 'acme', settings: { risk: { vagueAddress: { keywords: ['不知道'] } } } })];
  assert.deepEqual(resolvePolicy(defaultOrderPolicy, overrides, order).policy.risk.vagueAddress.keywords, ['不知道']);
});

test('an override for neither a brand nor a channel is rejected', () => {
  assert.deepEqual(pathsOf(policyOverrideSchema.safeParse({ id: 'all', settings: {} })), [['brand']]);
});

test('an override with a bad setting is rejected at its path inside settings', () => {
  const result = policyOverrideSchema.safeParse({ id: 'acme', brand: 'acme', settings: { priceGuard: { perChannel: { douyin: 2 } } } });
  assert.deepEqual(pathsOf(result), [['settings', 'priceGuard', 'perChannel', 'douyin']]);
});
