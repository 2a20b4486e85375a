import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decimalMoneySchema,
  formatMinorUnits,
  fromMinorUnits,
  MAX_MINOR_UNITS,
  minorUnitsSchema,
  toMinorUnits,
} from '../../src/domain/money';
import { canonicalOrderSchema, canonicalOrderWireSchema } from '../../src/domain/order';
import { orderEventSchema, orderEventWireSchema } from '../../src/domain/orderEvents';

test('every cent value from 0.00 to 100.00 is accepted on the wire and comes out as exactly its minor units', () => {
  const wrong: string[] = [];
  for (let i = 0; i <= 10_000; i += 1) {
    const decimal = i / 100;
    const parsed = decimalMoneySchema.safeParse(decimal);
    if (!parsed.success || parsed.data !== i) wrong.push(`${decimal} → ${parsed.success ? parsed.data : parsed.error.issues[0]?.message}`);
    else if (fromMinorUnits(i) !== decimal || toMinorUnits(decimal) !== i) wrong.push(`${decimal} does not round-trip`);
  }
  assert.deepEqual(wrong, []);
});

test('amounts that floating point cannot scale by 100 exactly are accepted exactly', () => {
  // 19.99 * 100 is 1998.9999999999998 and 1.15 * 100 is 114.99999999999999: the old check refused them.
  for (const [decimal, minor] of [
    [19.99, 1999],
    [9.95, 995],
    [4.35, 435],
    [0.29, 29],
    [1.15, 115],
    [99_999_999.99, 9_999_999_999],
  ] as const) {
    assert.equal(decimalMoneySchema.parse(decimal), minor, String(decimal));
  }
});

test('values with three decimals, or computed values that are not two-decimal amounts, are refused', () => {
  for (const decimal of [0.001, 0.005, 1.005, 19.999, 4.351, 99.123, 0.1 + 0.2, 1e-7]) {
    const parsed = decimalMoneySchema.safeParse(decimal);
    assert.equal(parsed.success, false, String(decimal));
    assert.deepEqual(
      parsed.error?.issues.map((issue) => issue.message),
      ['at most two decimals'],
    );
    assert.throws(() => toMinorUnits(decimal), RangeError);
  }
});

test('negative, too large, non-finite and non-number amounts are refused on the wire', () => {
  for (const value of [-0.01, -1, 100_000_000.01, 1e21, Number.NaN, Number.POSITIVE_INFINITY, '19.99', null]) {
    assert.equal(decimalMoneySchema.safeParse(value).success, false, String(value));
  }
  assert.equal(decimalMoneySchema.parse(100_000_000), MAX_MINOR_UNITS);
});

test('internal amounts are whole, non-negative minor units up to the maximum', () => {
  for (const value of [0, 1, 1999, MAX_MINOR_UNITS]) assert.equal(minorUnitsSchema.safeParse(value).success, true, String(value));
  for (const value of [19.99, 0.5, -1, MAX_MINOR_UNITS + 1, Number.MAX_SAFE_INTEGER + 1])
    assert.equal(minorUnitsSchema.safeParse(value).success, false, String(value));
});

test('minor units format as two-decimal text in integers', () => {
  assert.deepEqual(
    [formatMinorUnits(0), formatMinorUnits(5), formatMinorUnits(1999), formatMinorUnits(620_000), formatMinorUnits(-150)],
    ['0.00', '0.05', '19.99', '6200.00', '-1.50'],
  );
  assert.throws(() => fromMinorUnits(19.99), RangeError);
});

/** An order snapshot as a channel posts it: the named prices of the defect report. */
const wireOrder = {
  channel: 'tmall',
  channelOrderId: 'T2001',
  brand: 'acme',
  buyer: { id: 'buyer-1' },
  shippingAddress: { name: '张三', phone: '13800138000', province: '浙江省', city: '杭州市', line1: '西湖区文三路 90 号 3 幢 501' },
  lines: [
    { lineId: 'L1', sku: 'SKU-1', category: 'onesie', quantity: 1, unitPrice: 19.99, listPrice: 19.99 },
    { lineId: 'L2', sku: 'SKU-2', category: 'sock', quantity: 3, unitPrice: 4.35 },
    { lineId: 'L3', sku: 'SKU-3', category: 'card', quantity: 1, unitPrice: 0.29, listPrice: 1.15 },
  ],
  amounts: { goods: 33.33, shipping: 9.95, discount: 1.15, paid: 42.13 },
  paymentStatus: 'paid',
  createdAt: '2026-02-03T12:00:00+08:00',
  paidAt: '2026-02-03T12:01:00+08:00',
};

test('an order snapshot with prices 19.99, 9.95, 4.35, 0.29 and 1.15 is accepted on the wire and converted to minor units', () => {
  const order = canonicalOrderWireSchema.parse(wireOrder);
  assert.deepEqual(
    order.lines.map((line) => [line.unitPrice, line.listPrice]),
    [
      [1999, 1999],
      [435, undefined],
      [29, 115],
    ],
  );
  assert.deepEqual(order.amounts, { goods: 3333, shipping: 995, discount: 115, paid: 4213 });
  // The converted order is what the workflow validates: the internal schema accepts it as it is, with nothing converted twice.
  assert.deepEqual(canonicalOrderSchema.parse(order), order);
});

test('the channel event wire schema converts a snapshot and a payment notice; the internal event schema accepts the result unchanged', () => {
  const snapshot = orderEventWireSchema.parse({ type: 'snapshot', eventId: 'e-1', order: wireOrder });
  assert.equal(snapshot.type === 'snapshot' && snapshot.order.amounts.paid, 4213);
  const notice = orderEventWireSchema.parse({
    type: 'paid',
    eventId: 'e-2',
    channelOrderId: 'T2001',
    paidAt: '2026-02-03T12:01:00+08:00',
    amount: 19.99,
  });
  assert.equal(notice.type === 'paid' && notice.amount, 1999);
  assert.deepEqual(orderEventSchema.parse(snapshot), snapshot);
  assert.deepEqual(orderEventSchema.parse(notice), notice);
});

test('the internal schemas refuse decimal amounts, so an unconverted wire order cannot reach the workflow', () => {
  const result = canonicalOrderSchema.safeParse(wireOrder);
  assert.equal(result.success, false);
  assert.deepEqual(result.error?.issues.map((issue) => issue.path.join('.')).sort(), [
    'amounts.discount',
    'amounts.goods',
    'amounts.paid',
    'amounts.shipping',
    'lines.0.listPrice',
    'lines.0.unitPrice',
    'lines.1.unitPrice',
    'lines.2.listPrice',
    'lines.2.unitPrice',
  ]);
});

test('a wire amount with three decimals is refused at its path, and the order checks still run', () => {
  const result = canonicalOrderWireSchema.safeParse({
    ...wireOrder,
    lines: [wireOrder.lines[0], { ...wireOrder.lines[1], unitPrice: 4.355 }],
  });
  assert.deepEqual(
    result.error?.issues.map((issue) => [issue.path.join('.'), issue.message]),
    [['lines.1.unitPrice', 'at most two decimals']],
  );
  const refined = canonicalOrderWireSchema.safeParse({
    ...wireOrder,
    lines: [wireOrder.lines[0], { ...wireOrder.lines[1], lineId: 'L1' }],
    paidAt: undefined,
  });
  assert.deepEqual(
    refined.error?.issues.map((issue) => [issue.path.join('.'), issue.message]),
    [
      ['lines.1.lineId', 'duplicate lineId'],
      ['paidAt', 'required when paymentStatus is paid'],
    ],
  );
});

test('shipping and discount default to 0 on the wire as inside the hub', () => {
  const order = canonicalOrderWireSchema.parse({ ...wireOrder, amounts: { goods: 19.99, paid: 19.99 } });
  assert.deepEqual(order.amounts, { goods: 1999, shipping: 0, discount: 0, paid: 1999 });
});
