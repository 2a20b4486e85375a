/** Builders for routing tests: valid canonical orders and routing contexts with readable defaults. */
import { z } from 'zod';
import { canonicalOrderSchema, type CanonicalOrder } from '../../../src/domain/order';
import { routingContextSchema, type RoutingContext, type RoutingContextInput } from '../../../src/domain/routing/context';
import { exampleRegionPriority, exampleWarehouses } from '../../../src/domain/routing/examples';
import type { RoutingRuleSetInput } from '../../../src/domain/routing/rules';
import type { StockLevel } from '../../../src/domain/routing/warehouses';

type OrderInput = z.input<typeof canonicalOrderSchema>;
type LineInput = OrderInput['lines'][number];

/** An order line; ids and prices default so tests only say what matters. Prices are minor units (9900 = 99.00). */
export function line(lineId: string, sku: string, extra: Partial<LineInput> = {}): LineInput {
  return { lineId, sku, category: 'tshirt', quantity: 1, unitPrice: 9900, ...extra };
}

/** A paid Tmall order to Shanghai (East China), parsed so it is a real `CanonicalOrder` (amounts in minor units). */
export function buildOrder(overrides: Partial<OrderInput> & { province?: string } = {}): CanonicalOrder {
  const { province = '上海', ...rest } = overrides;
  return canonicalOrderSchema.parse({
    channel: 'tmall',
    channelOrderId: 'T1001',
    brand: 'acme',
    buyer: { id: 'buyer-1' },
    shippingAddress: { name: '张三', phone: '13800138000', province, city: '市区', line1: '人民路 1 号' },
    lines: [line('l1', 'TS-001-M')],
    amounts: { goods: 9900, paid: 9900 },
    paymentStatus: 'paid',
    createdAt: '2026-02-03T02:00:00Z',
    paidAt: '2026-02-03T02:01:00Z',
    ...rest,
  });
}

/** A stock level; no reservation and no safety threshold unless given. */
export function stock(warehouseId: string, sku: string, onHand: number, extra: Partial<StockLevel> = {}): StockLevel {
  return { warehouseId, sku, onHand, reserved: 0, safetyThreshold: 0, ...extra };
}

/** An empty rule set. */
export const noRules: RoutingRuleSetInput = { id: 'none', version: 1, rules: [] };

/** A routing context over the example network at 2026-02-03 10:30 Beijing time. */
export function buildContext(overrides: Partial<RoutingContextInput> = {}): RoutingContext {
  return routingContextSchema.parse({
    ruleSet: noRules,
    warehouses: exampleWarehouses,
    regionPriority: exampleRegionPriority,
    stock: [],
    now: '2026-02-03T02:30:00Z',
    ...overrides,
  });
}

/** The same warehouse list with one warehouse changed, e.g. disabled by a snowstorm. */
export function withWarehouse(id: string, change: Partial<(typeof exampleWarehouses)[number]>) {
  return exampleWarehouses.map((w) => (w.id === id ? { ...w, ...change } : w));
}

/** Warehouse ids of the decision's warehouse shipments, in order. */
export function shippedFrom(decision: { shipments: readonly { kind: string; locationId: string }[] }): (string | undefined)[] {
  return decision.shipments.filter((s) => s.kind === 'warehouse').map((s) => s.locationId);
}
