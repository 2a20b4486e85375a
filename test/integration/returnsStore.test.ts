/** The returns store on the real database: the mirror of each return's view, the operations list, and return rates. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../src/db/connection';
import { InvalidCursorError } from '../../src/db/returns';
import { createStores, type Stores } from '../../src/db/stores';
import { orderIdOf, refundKeyOf, rmaNumber } from '../../src/domain/ids';
import type { OrderView } from '../../src/domain/orderView';
import { defaultReturnPolicy } from '../../src/domain/returnPolicy';
import {
  returnRequestSchema,
  validateReturnRequest,
  type ReturnReason,
  type ReturnStatus,
  type ReturnView,
} from '../../src/domain/returns';
import { makeOrder, paid, toCanonical } from '../fixtures/orders';
import { dropStoreDatabase, openStoreDatabase } from './storeDatabase';

const DAY = 24 * 3600;

/** A delivered order of the brand: ordered a day before `shippedAt`, one tee and two mugs in one parcel, delivered a day after. */
function deliveredOrder(brand: string, shippedAt: string): OrderView {
  const orderedAt = new Date(Date.parse(shippedAt) - DAY * 1000).toISOString();
  const order = toCanonical(
    paid(
      makeOrder({
        brand,
        createdAt: orderedAt,
        lines: [
          { lineId: 'L1', sku: 'TEE-001', category: 'tshirt', quantity: 1, unitPrice: 100, listPrice: 100 },
          { lineId: 'L2', sku: 'MUG-9', category: 'kitchen', quantity: 2, unitPrice: 30, listPrice: 30 },
        ],
        amounts: { goods: 160, shipping: 0, discount: 0, paid: 160 },
      }),
      orderedAt,
    ),
  );
  const orderId = orderIdOf(order.channel, order.channelOrderId);
  const deliveredAt = new Date(Date.parse(shippedAt) + DAY * 1000).toISOString();
  return {
    orderId,
    workflowId: `Order:${orderId}`,
    status: 'DELIVERED',
    order,
    holds: [],
    shipments: [
      {
        shipmentId: 'S1',
        kind: 'warehouse',
        locationId: 'suzhou',
        lineIds: ['L1', 'L2'],
        promisedDeliveryDays: 1,
        step: 'delivered',
        writtenBack: true,
        shippedAt,
        deliveredAt,
      },
    ],
    reservations: [],
    waiting: { for: 'return window', since: deliveredAt, who: 'buyer' },
    returns: [],
    timeline: [{ at: deliveredAt, status: 'DELIVERED', note: 'delivered' }],
    version: 9,
  };
}

/** A return of the order as its workflow would hold it, accepted by the automatic check. */
function returnOf(
  view: OrderView,
  returnId: string,
  lines: Array<{ lineId: string; quantity: number }>,
  fields: { reason?: ReturnReason; status?: ReturnStatus; requestedAt?: string; version?: number } = {},
): ReturnView {
  const requestedAt = fields.requestedAt ?? view.timeline[0]!.at;
  const request = returnRequestSchema.parse({
    returnId,
    lines,
    reason: fields.reason ?? 'size_fit',
    requestedBy: 'buyer',
    actor: 'buyer-1',
  });
  const checked = validateReturnRequest(request, {
    view,
    earlier: [],
    policy: defaultReturnPolicy,
    returnWindowSeconds: 7 * DAY,
    now: requestedAt,
  });
  assert.ok(checked.ok, checked.ok ? '' : checked.message);
  return {
    orderId: view.orderId,
    returnId,
    rma: rmaNumber(view.orderId, returnId),
    brand: view.order.brand,
    channel: view.order.channel,
    requestedBy: request.requestedBy,
    actor: request.actor,
    requestedAt,
    reason: request.reason,
    photos: request.photos,
    outcome: request.outcome,
    lines: checked.lines,
    status: fields.status ?? 'REQUESTED',
    freeReturn: false,
    policyVersion: 0,
    refund: {
      key: refundKeyOf(view.orderId, returnId),
      amountMinor: checked.lines.reduce((sum, l) => sum + l.refundableMinor, 0),
      state: 'pending',
    },
    timeline: [{ at: requestedAt, status: 'REQUESTED', note: 'accepted' }],
    version: fields.version ?? 1,
  };
}

const hoursAfter = (instant: string, hours: number) => new Date(Date.parse(instant) + hours * 3600 * 1000).toISOString();

describe('returns store', () => {
  let db: Database;
  let stores: Stores;
  before(async () => {
    db = await openStoreDatabase('returns');
    stores = createStores(db);
  });
  after(() => dropStoreDatabase(db));

  test('a saved return reads back whole; a retry or an older version never replaces a newer one', async () => {
    const order = deliveredOrder('acme', '2026-11-02T10:00:00Z');
    const requested = returnOf(order, 'R1', [{ lineId: 'L1', quantity: 1 }], { version: 1 });
    const received = { ...requested, status: 'RECEIVED' as const, receivedAt: '2026-11-06T10:00:00Z', version: 3 };
    assert.equal(await stores.returns.save(requested), true);
    assert.equal(await stores.returns.save(received), true);
    assert.equal(await stores.returns.save(received), false, 'a retry writes nothing');
    assert.equal(await stores.returns.save(requested), false, 'an older version is ignored');
    assert.deepEqual(await stores.returns.get(order.orderId, 'R1'), received);
    assert.equal(await stores.returns.get(order.orderId, 'R2'), undefined);
    assert.deepEqual(
      (await stores.returns.findByRma(received.rma)).map((r) => r.returnId),
      ['R1'],
    );
  });

  test("an order's returns are listed oldest first, and no other order's", async () => {
    const order = deliveredOrder('acme', '2026-11-03T10:00:00Z');
    const delivered = order.timeline[0]!.at;
    await stores.returns.save(returnOf(order, 'R2', [{ lineId: 'L2', quantity: 1 }], { requestedAt: hoursAfter(delivered, 5) }));
    await stores.returns.save(returnOf(order, 'R1', [{ lineId: 'L2', quantity: 1 }], { requestedAt: hoursAfter(delivered, 2) }));
    await stores.returns.save(returnOf(deliveredOrder('acme', '2026-11-03T10:00:00Z'), 'R1', [{ lineId: 'L1', quantity: 1 }]));
    assert.deepEqual(
      (await stores.returns.listForOrder(order.orderId)).map((r) => r.returnId),
      ['R1', 'R2'],
    );
  });

  test('operations list returns by status, reason, brand and SKU, newest first, page by page', async () => {
    const base = '2026-11-10T10:00:00Z';
    const made: ReturnView[] = [];
    for (let i = 0; i < 7; i += 1) {
      const order = deliveredOrder(i % 2 === 0 ? 'listbrand' : 'otherbrand', base);
      const view = returnOf(order, `R${i}`, i % 3 === 0 ? [{ lineId: 'L2', quantity: 2 }] : [{ lineId: 'L1', quantity: 1 }], {
        reason: i % 3 === 0 ? 'damaged' : 'size_fit',
        status: i < 4 ? 'REQUESTED' : 'INSPECTED',
        requestedAt: hoursAfter(order.timeline[0]!.at, i),
      });
      await stores.returns.save(view);
      made.push(view);
    }
    const ids = (items: Array<{ returnId: string }>) => items.map((r) => r.returnId);
    assert.deepEqual(ids((await stores.returns.list({ brand: 'listbrand', limit: 10 })).items), ['R6', 'R4', 'R2', 'R0']);
    assert.deepEqual(ids((await stores.returns.list({ brand: 'listbrand', status: 'INSPECTED', limit: 10 })).items), ['R6', 'R4']);
    assert.deepEqual(ids((await stores.returns.list({ brand: 'listbrand', reason: 'damaged', limit: 10 })).items), ['R6', 'R0']);
    const mugs = (await stores.returns.list({ sku: 'MUG-9', reason: 'damaged', limit: 10 })).items.filter((r) =>
      made.some((m) => m.orderId === r.orderId),
    );
    assert.deepEqual(ids(mugs), ['R6', 'R3', 'R0']);
    assert.deepEqual(mugs[0]!.skus, ['MUG-9']);

    const first = await stores.returns.list({ brand: 'listbrand', limit: 3 });
    assert.deepEqual(ids(first.items), ['R6', 'R4', 'R2']);
    assert.ok(first.next);
    const second = await stores.returns.list({ brand: 'listbrand', limit: 3, after: first.next });
    assert.deepEqual([ids(second.items), second.next], [['R0'], undefined]);
    await assert.rejects(stores.returns.list({ limit: 3, after: 'not-a-cursor' }), InvalidCursorError);
  });

  test('return rates count the units shipped in the window that came back, per SKU and reason; rejected returns do not', async () => {
    const inWindow = '2026-10-05T10:00:00Z';
    const orders = [0, 1, 2, 3].map(() => deliveredOrder('ratebrand', inWindow));
    const earlier = deliveredOrder('ratebrand', '2026-09-20T10:00:00Z');
    const elsewhere = deliveredOrder('elsewhere', inWindow);
    for (const order of [...orders, earlier, elsewhere]) {
      await stores.orders.mirror(order, {
        seq: 1,
        at: order.timeline[0]!.at,
        actor: { kind: 'system', id: 'test' },
        action: 'ORDER_DELIVERED',
      });
    }
    await stores.returns.save(returnOf(orders[0]!, 'R1', [{ lineId: 'L1', quantity: 1 }], { reason: 'size_fit' }));
    await stores.returns.save(
      returnOf(
        orders[1]!,
        'R1',
        [
          { lineId: 'L1', quantity: 1 },
          { lineId: 'L2', quantity: 2 },
        ],
        { reason: 'damaged', status: 'REFUNDED' },
      ),
    );
    await stores.returns.save(returnOf(orders[2]!, 'R1', [{ lineId: 'L2', quantity: 1 }], { reason: 'damaged', status: 'REJECTED' }));
    await stores.returns.save(returnOf(earlier, 'R1', [{ lineId: 'L1', quantity: 1 }]));
    await stores.returns.save(returnOf(elsewhere, 'R1', [{ lineId: 'L1', quantity: 1 }]));

    const rates = await stores.returns.returnRates({
      brand: 'ratebrand',
      from: new Date('2026-10-01T00:00:00Z'),
      to: new Date('2026-11-01T00:00:00Z'),
    });
    assert.deepEqual([rates.shippedUnits, rates.returnedUnits, rates.rate], [12, 4, 0.3333]);
    assert.deepEqual(rates.bySku, [
      {
        sku: 'MUG-9',
        shippedUnits: 8,
        returnedUnits: 2,
        rate: 0.25,
        byReason: [{ reason: 'damaged', shippedUnits: 8, returnedUnits: 2, rate: 0.25 }],
      },
      {
        sku: 'TEE-001',
        shippedUnits: 4,
        returnedUnits: 2,
        rate: 0.5,
        byReason: [
          { reason: 'damaged', shippedUnits: 4, returnedUnits: 1, rate: 0.25 },
          { reason: 'size_fit', shippedUnits: 4, returnedUnits: 1, rate: 0.25 },
        ],
      },
    ]);
    assert.deepEqual(rates.byReason, [
      { reason: 'damaged', shippedUnits: 12, returnedUnits: 3, rate: 0.25 },
      { reason: 'size_fit', shippedUnits: 12, returnedUnits: 1, rate: 0.0833 },
    ]);
  });
});
