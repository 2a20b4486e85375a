import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalOrderWireSchema, type CanonicalOrder } from '../../src/domain/order';
import { assessRisk, defaultRiskRules, riskRulesSchema, type BuyerHistory, type RiskRules } from '../../src/domain/risk';

const returningBuyer: BuyerHistory = { previousOrderCount: 3, ordersInWindow: 0 };
const firstTimeBuyer: BuyerHistory = { previousOrderCount: 0, ordersInWindow: 0 };

/**
 * A paid one-line order whose lines add up to what was paid, unless the test says otherwise. Amounts are given as a
 * channel sends them (decimals) and parsed as the intake does, so the rules see minor units.
 */
function orderOf(
  changes: { paid?: number; linePrice?: number; shipping?: number; discount?: number; line1?: string } = {},
): CanonicalOrder {
  const paid = changes.paid ?? 199;
  const linePrice = changes.linePrice ?? paid;
  return canonicalOrderWireSchema.parse({
    channel: 'tmall',
    channelOrderId: 'T1001',
    brand: 'acme',
    buyer: { id: 'buyer-1' },
    shippingAddress: {
      name: '张三',
      phone: '13800138000',
      province: '浙江省',
      city: '杭州市',
      line1: changes.line1 ?? '西湖区文三路 90 号 3 幢 501',
    },
    lines: [{ lineId: 'L1', sku: 'SKU-1', category: 'onesie', quantity: 1, unitPrice: linePrice }],
    amounts: { goods: linePrice, shipping: changes.shipping ?? 0, discount: changes.discount ?? 0, paid },
    paymentStatus: 'paid',
    createdAt: '2026-02-03T12:00:00+08:00',
    paidAt: '2026-02-03T12:01:00+08:00',
  });
}

function reasonsOf(order: CanonicalOrder, history: BuyerHistory, rules: RiskRules = defaultRiskRules): string[] {
  return assessRisk(order, history, rules).holds.map((hold) => hold.reason);
}

function withRules(changes: Partial<Record<keyof RiskRules, object>>): RiskRules {
  return riskRulesSchema.parse(changes);
}

test('an ordinary order from a returning buyer is not held', () => {
  assert.deepEqual(reasonsOf(orderOf(), returningBuyer), []);
});

test('an order over 5000 from a first-time buyer waits for review', () => {
  assert.deepEqual(reasonsOf(orderOf({ paid: 5000.01 }), firstTimeBuyer), ['HIGH_VALUE_FIRST_ORDER']);
});

test('an order of exactly 5000 from a first-time buyer is not held', () => {
  assert.deepEqual(reasonsOf(orderOf({ paid: 5000 }), firstTimeBuyer), []);
});

test('an order over 5000 from a returning buyer is not held', () => {
  assert.deepEqual(reasonsOf(orderOf({ paid: 6200 }), returningBuyer), []);
});

test('a first-order hold says what was paid against which threshold', () => {
  const [hold] = assessRisk(orderOf({ paid: 6200 }), firstTimeBuyer, defaultRiskRules).holds;
  assert.deepEqual(hold, {
    reason: 'HIGH_VALUE_FIRST_ORDER',
    ruleId: 'risk.highValueFirstOrder',
    detail: "paid 6200.00 > 5000.00 on the buyer's first order",
  });
});

test('a disabled first-order rule does not hold a large first order', () => {
  const rules = withRules({ highValueFirstOrder: { enabled: false } });
  assert.deepEqual(reasonsOf(orderOf({ paid: 6200 }), firstTimeBuyer, rules), []);
});

test('an order paying more than 50000 is an abnormal amount', () => {
  assert.deepEqual(reasonsOf(orderOf({ paid: 50000.01 }), returningBuyer), ['ABNORMAL_AMOUNT']);
});

test('an order paying exactly 50000 is not an abnormal amount', () => {
  assert.deepEqual(reasonsOf(orderOf({ paid: 50000 }), returningBuyer), []);
});

test('a payment more than 50% above what the lines add up to is an abnormal amount', () => {
  assert.deepEqual(reasonsOf(orderOf({ linePrice: 100, paid: 150.01 }), returningBuyer), ['ABNORMAL_AMOUNT']);
});

test('a payment exactly 50% above what the lines add up to is not an abnormal amount', () => {
  assert.deepEqual(reasonsOf(orderOf({ linePrice: 100, paid: 150 }), returningBuyer), []);
});

test('a payment more than 50% below what the lines add up to is an abnormal amount', () => {
  assert.deepEqual(reasonsOf(orderOf({ linePrice: 100, paid: 49.99 }), returningBuyer), ['ABNORMAL_AMOUNT']);
});

test('shipping and discounts are not an abnormal amount', () => {
  const order = orderOf({ linePrice: 100, shipping: 10, discount: 60, paid: 50 });
  assert.deepEqual(reasonsOf(order, returningBuyer), []);
});

test('a disabled abnormal-amount rule does not hold a huge payment', () => {
  const rules = withRules({ abnormalAmount: { enabled: false } });
  assert.deepEqual(reasonsOf(orderOf({ linePrice: 100, paid: 60000 }), returningBuyer, rules), []);
});

test('an address line shorter than 5 characters is vague', () => {
  assert.deepEqual(reasonsOf(orderOf({ line1: '学校门口' }), returningBuyer), ['VAGUE_ADDRESS']);
});

test('an address line of exactly 5 characters is not vague for its length', () => {
  assert.deepEqual(reasonsOf(orderOf({ line1: '人民路1号' }), returningBuyer), []);
});

test('an address line with 附近 is vague', () => {
  assert.deepEqual(reasonsOf(orderOf({ line1: '幸福小区东门附近' }), returningBuyer), ['VAGUE_ADDRESS']);
});

test('an English vague word matches whatever its case', () => {
  assert.deepEqual(reasonsOf(orderOf({ line1: 'UNKNOWN street, building 5' }), returningBuyer), ['VAGUE_ADDRESS']);
});

test('an English vague word inside another word is not vague', () => {
  assert.deepEqual(reasonsOf(orderOf({ line1: '88 Linear Road, unit 3' }), returningBuyer), []);
});

test('a disabled vague-address rule does not hold a vague address', () => {
  const rules = withRules({ vagueAddress: { enabled: false } });
  assert.deepEqual(reasonsOf(orderOf({ line1: '附近' }), returningBuyer, rules), []);
});

test("a buyer's 6th order within 600 s waits for review", () => {
  assert.deepEqual(reasonsOf(orderOf(), { previousOrderCount: 9, ordersInWindow: 5 }), ['BUYER_ORDER_BURST']);
});

test("a buyer's 5th order within 600 s is not held", () => {
  assert.deepEqual(reasonsOf(orderOf(), { previousOrderCount: 9, ordersInWindow: 4 }), []);
});

test('a disabled burst rule does not hold a burst of orders', () => {
  const rules = withRules({ buyerOrderBurst: { enabled: false } });
  assert.deepEqual(reasonsOf(orderOf(), { previousOrderCount: 9, ordersInWindow: 50 }, rules), []);
});

test('risk rules default to the numbers in the requirements, amounts in minor units (5000 CNY = 500000 fen)', () => {
  const rules = riskRulesSchema.parse({});
  assert.deepEqual(
    [
      rules.highValueFirstOrder.firstOrderAmountThreshold,
      rules.abnormalAmount.maxPaid,
      rules.buyerOrderBurst.maxOrders,
      rules.buyerOrderBurst.windowSeconds,
    ],
    [500_000, 5_000_000, 5, 600],
  );
});

test('a risk threshold that is not a whole number of minor units is rejected at that threshold', () => {
  const result = riskRulesSchema.safeParse({ highValueFirstOrder: { firstOrderAmountThreshold: 5000.5 } });
  assert.deepEqual(
    result.error?.issues.map((issue) => issue.path),
    [['highValueFirstOrder', 'firstOrderAmountThreshold']],
  );
});

test('a threshold set in minor units applies to the paid amount in minor units', () => {
  const rules = withRules({ highValueFirstOrder: { firstOrderAmountThreshold: 1999 } });
  assert.deepEqual(reasonsOf(orderOf({ paid: 19.99 }), firstTimeBuyer, rules), []);
  assert.deepEqual(reasonsOf(orderOf({ paid: 20 }), firstTimeBuyer, rules), ['HIGH_VALUE_FIRST_ORDER']);
});

test('line prices floating point cannot add up exactly still add up to the payment', () => {
  // 0.29 × 3 is 0.8699999999999999 in floating point; in fen it is 87.
  const order = canonicalOrderWireSchema.parse({
    ...orderOf(),
    lines: [{ lineId: 'L1', sku: 'SKU-1', category: 'onesie', quantity: 3, unitPrice: 0.29 }],
    amounts: { goods: 0.87, paid: 0.87 },
  });
  const rules = withRules({ abnormalAmount: { maxDeviationRatio: 0 } });
  assert.deepEqual(reasonsOf(order, returningBuyer, rules), []);
});

test('a risk rule document with a negative threshold is rejected at that threshold', () => {
  const result = riskRulesSchema.safeParse({ highValueFirstOrder: { firstOrderAmountThreshold: -1 } });
  assert.deepEqual(
    result.error?.issues.map((issue) => issue.path),
    [['highValueFirstOrder', 'firstOrderAmountThreshold']],
  );
});
