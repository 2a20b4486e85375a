import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalOrderWireSchema, type CanonicalOrder, type Channel } from '../../src/domain/order';
import { checkPriceGuard, defaultPriceGuard, priceGuardSchema } from '../../src/domain/priceGuard';

interface LineInput {
  lineId?: string;
  unitPrice: number;
  listPrice?: number;
}

/** A paid order on a channel with the given lines (decimal prices), parsed as the intake does: amounts become minor units. */
function orderOf(channel: Channel, lines: LineInput[]): CanonicalOrder {
  const goods = lines.reduce((sum, line) => sum + Math.round(line.unitPrice * 100), 0) / 100;
  return canonicalOrderWireSchema.parse({
    channel,
    channelOrderId: 'O1001',
    brand: 'acme',
    buyer: { id: 'buyer-1' },
    shippingAddress: { name: '张三', phone: '13800138000', province: '浙江省', city: '杭州市', line1: '西湖区文三路 90 号 3 幢 501' },
    lines: lines.map((line, index) => ({
      lineId: line.lineId ?? `L${index + 1}`,
      sku: `SKU-${index + 1}`,
      category: 'onesie',
      quantity: 1,
      ...line,
    })),
    amounts: { goods, paid: goods },
    paymentStatus: 'paid',
    createdAt: '2026-02-03T12:00:00+08:00',
    paidAt: '2026-02-03T12:01:00+08:00',
  });
}

test('list 299 sold at 239 on Tmall passes the price guard', () => {
  assert.deepEqual(checkPriceGuard(orderOf('tmall', [{ unitPrice: 239, listPrice: 299 }]), defaultPriceGuard), []);
});

test("list 299 sold at 199 on Douyin needs a manager's approval", () => {
  const holds = checkPriceGuard(orderOf('douyin', [{ unitPrice: 199, listPrice: 299 }]), defaultPriceGuard);
  assert.deepEqual(holds, [
    {
      reason: 'PRICE_BELOW_GUARD',
      ruleId: 'priceGuard.default',
      detail: 'line L1 at 199.00 is below the floor 209.30 (list 299.00, max discount 30% on douyin)',
      lineId: 'L1',
      unitPrice: 19900,
      floorPrice: 20930,
    },
  ]);
});

test('list 299 sold at 259 on JD passes the price guard', () => {
  assert.deepEqual(checkPriceGuard(orderOf('jd', [{ unitPrice: 259, listPrice: 299 }]), defaultPriceGuard), []);
});

test('a line without a list price passes the price guard', () => {
  assert.deepEqual(checkPriceGuard(orderOf('douyin', [{ unitPrice: 1 }]), defaultPriceGuard), []);
});

test('a price exactly at the floor passes the price guard', () => {
  assert.deepEqual(checkPriceGuard(orderOf('douyin', [{ unitPrice: 209.3, listPrice: 299 }]), defaultPriceGuard), []);
});

test('a price one cent below the floor needs approval', () => {
  const holds = checkPriceGuard(orderOf('douyin', [{ unitPrice: 209.29, listPrice: 299 }]), defaultPriceGuard);
  assert.deepEqual(
    holds.map((hold) => hold.floorPrice),
    [20930],
  );
});

test('a price at a floor that floating point overshoots (299 × 0.8 = 239.20000000000002) still passes', () => {
  const guard = priceGuardSchema.parse({ defaultMaxDiscount: 0.2 });
  assert.deepEqual(checkPriceGuard(orderOf('tmall', [{ unitPrice: 239.2, listPrice: 299 }]), guard), []);
});

test("a channel's own maximum discount replaces the default", () => {
  const guard = priceGuardSchema.parse({ perChannel: { douyin: 0.1 } });
  const holds = checkPriceGuard(orderOf('douyin', [{ unitPrice: 259, listPrice: 299 }]), guard);
  assert.deepEqual(
    holds.map((hold) => [hold.ruleId, hold.floorPrice]),
    [['priceGuard.douyin', 26910]],
  );
});

test('every line below its floor is held on its own', () => {
  const order = orderOf('douyin', [
    { lineId: 'A', unitPrice: 199, listPrice: 299 },
    { lineId: 'B', unitPrice: 259, listPrice: 299 },
    { lineId: 'C', unitPrice: 10, listPrice: 100 },
  ]);
  assert.deepEqual(
    checkPriceGuard(order, defaultPriceGuard).map((hold) => hold.lineId),
    ['A', 'C'],
  );
});

test('a disabled price guard holds nothing', () => {
  const guard = priceGuardSchema.parse({ enabled: false });
  assert.deepEqual(checkPriceGuard(orderOf('douyin', [{ unitPrice: 1, listPrice: 299 }]), guard), []);
});

test('a maximum discount above 100% is rejected at its channel', () => {
  const result = priceGuardSchema.safeParse({ perChannel: { douyin: 1.5 } });
  assert.deepEqual(
    result.error?.issues.map((issue) => issue.path),
    [['perChannel', 'douyin']],
  );
});

test('a maximum discount for an unknown channel is rejected', () => {
  const result = priceGuardSchema.safeParse({ perChannel: { taobao: 0.2 } });
  assert.deepEqual(
    result.error?.issues.map((issue) => [issue.code, issue.path]),
    [['unrecognized_keys', ['perChannel']]],
  );
});

test('holds report prices in minor units (fen), the unit of every amount in the hub', () => {
  const [hold] = checkPriceGuard(orderOf('douyin', [{ unitPrice: 19.99, listPrice: 29.99 }]), defaultPriceGuard);
  assert.deepEqual(
    [hold?.unitPrice, hold?.floorPrice, hold?.detail],
    [1999, 2100, 'line L1 at 19.99 is below the floor 21.00 (list 29.99, max discount 30% on douyin)'],
  );
});
