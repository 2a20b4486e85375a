/** The order lifecycle over real HTTP, Temporal and database: each path asserts final state, stock and audit. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeOrder, paid } from '../fixtures/orders';
import { dropShipSofas, seedHub } from '../fixtures/network';
import { eventually, startHarness, type Harness } from './harness';
import { lifecycle } from './lifecycleSupport';

describe('order lifecycle', () => {
  let hub: Harness;
  let steps: ReturnType<typeof lifecycle>;
  before(async () => {
    hub = await startHarness('lifecycle');
    steps = lifecycle(hub);
    await seedHub(hub, {
      stock: { 'TEE-001@suzhou': 100, 'TEE-001@guangzhou': 100, 'TEE-001@hefei': 100, 'MUG-002@suzhou': 50 },
      rules: [dropShipSofas],
      policy: { paymentTimeoutSeconds: 2, returnWindowSeconds: 2 },
      overrides: [
        { id: 'returns-open', brand: 'slowco', settings: { returnWindowSeconds: 3600 } },
        { id: 'lock-on-order', brand: 'earlyco', settings: { lockStrategy: 'onOrder', paymentTimeoutSeconds: 3600 } },
      ],
    });
  });
  after(async () => {
    await hub?.stop();
  });

  test('a paid order is reserved, fulfilled, written back, delivered and completed after its return window', async () => {
    const before = await steps.balance('TEE-001', 'suzhou');
    const orderId = await steps.submit(
      paid(makeOrder({ lines: [{ lineId: 'L1', sku: 'TEE-001', category: 'tshirt', quantity: 3, unitPrice: 33, listPrice: 33 }] })),
    );
    const fulfilling = await steps.waitFor(orderId, 'FULFILLING');
    assert.equal(fulfilling.shipments.length, 1);
    assert.equal(fulfilling.shipments[0]!.locationId, 'suzhou');
    assert.equal((await steps.balance('TEE-001', 'suzhou')).reserved, before.reserved + 3);

    await steps.shipAll(orderId);
    await steps.waitFor(orderId, 'SHIPPED');
    // The write-back runs beside the lifecycle: the storefront has it once it answered.
    await steps.receivedEventually(orderId, ['carrier:waybill.requested', 'wms:pick_list.created', 'channel:shipment.shipped']);
    const shipmentId = fulfilling.shipments[0]!.shipmentId;
    assert.equal((await steps.progress(orderId, shipmentId, 'delivered')).status, 200);
    const done = await steps.waitFor(orderId, 'COMPLETED');
    assert.equal(done.shipments[0]!.writtenBack, true);

    const after = await steps.balance('TEE-001', 'suzhou');
    assert.equal(after.onHand, before.onHand - 3);
    assert.equal(after.reserved, before.reserved);
    const [pickList] = hub.partners.wms.events('pick_list.created').filter((e) => (e.data as { orderId: string }).orderId === orderId);
    assert.deepEqual((pickList!.data as { waybill: unknown }).waybill, {
      carrier: 'SF',
      trackingNumber: hub.partners.carrier.waybills().find((w) => w.orderId === orderId)!.trackingNumber,
    });
    const [writeBack] = hub.partners.storefront
      .events('shipment.shipped')
      .filter((e) => (e.data as { orderId: string }).orderId === orderId);
    assert.deepEqual((writeBack!.data as { lines: unknown }).lines, [{ lineId: 'L1', sku: 'TEE-001', quantity: 3 }]);
    const log = await hub.ops('GET', `/v1/orders/${orderId}/deliveries`);
    assert.equal(log.status, 200, JSON.stringify(log.body));
    assert.deepEqual(
      log.body.deliveries.map((d: { kind: string; state: string; attempts: number }) => `${d.kind}:${d.state}:${d.attempts}`),
      ['waybill:delivered:1', 'pickList:delivered:1', 'shipmentWriteBack:delivered:1'],
    );
    assert.deepEqual(await steps.auditActions(orderId), [
      'ORDER_RECEIVED',
      'PAYMENT_RECEIVED',
      'STOCK_RESERVED',
      'FULFILMENT_STARTED',
      'SHIPMENT_ACCEPTED',
      'SHIPMENT_PICKING',
      'SHIPMENT_PACKED',
      'SHIPMENT_SHIPPED',
      'SHIPMENT_WRITTEN_BACK',
      'ORDER_SHIPPED',
      'SHIPMENT_DELIVERED',
      'ORDER_DELIVERED',
      'ORDER_COMPLETED',
    ]);
    const closed = await eventually(async () => {
      const read = await hub.ops('GET', `/v1/orders/${orderId}`);
      return read.body.workflow.status === 'RUNNING' ? undefined : read.body;
    }, 'the workflow to close');
    assert.equal(closed.workflow.status, 'COMPLETED');
    assert.equal(closed.order.status, 'COMPLETED');
    await steps.recordHistory('happy-path', orderId);
  });

  test('an order unpaid past the payment timeout is cancelled and holds no stock', async () => {
    const order = makeOrder();
    const orderId = await steps.submit(order);
    const cancelled = await steps.waitFor(orderId, 'CANCELLED');
    assert.match(cancelled.cancellation!.reason, /unpaid after 2 s/);
    assert.equal(cancelled.reservations.length, 0);
    assert.deepEqual(await steps.auditActions(orderId), ['ORDER_RECEIVED', 'ORDER_CANCELLED']);
    assert.deepEqual(steps.received(orderId), []);
    await steps.recordHistory('unpaid-timeout', orderId);
    await eventually(
      async () => ((await hub.ops('GET', `/v1/orders/${orderId}`)).body.workflow.status === 'COMPLETED' ? true : undefined),
      'the workflow to close',
    );
    const late = await hub.channel('tmall', '/events', { type: 'snapshot', eventId: 'paid-too-late', order: paid(order) });
    assert.equal(late.status, 202, 'a finished order is not started again: its final status answers');
    assert.deepEqual(late.body, { orderId, status: 'CANCELLED' });
  });

  test('with lock-on-order stock is reserved before payment and released when the order is cancelled', async () => {
    const before = await steps.balance('TEE-001', 'suzhou');
    const orderId = await steps.submit(makeOrder({ brand: 'earlyco' }));
    const waiting = await eventually(async () => {
      const view = await steps.read(orderId);
      return view.reservations.length > 0 ? view : undefined;
    }, 'the early reservation');
    assert.equal(waiting.status, 'AWAITING_PAYMENT');
    assert.equal((await steps.balance('TEE-001', 'suzhou')).reserved, before.reserved + 1);

    const answer = await hub.ops('POST', `/v1/orders/${orderId}/cancel`, { reason: 'customer called' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.status, 'CANCELLED');
    assert.deepEqual(
      answer.body.reservations.map((r: { state: string }) => r.state),
      ['released'],
    );
    assert.equal((await steps.balance('TEE-001', 'suzhou')).reserved, before.reserved);
    assert.deepEqual(await steps.auditActions(orderId), ['ORDER_RECEIVED', 'STOCK_RELEASED', 'ORDER_CANCELLED']);
    assert.deepEqual(steps.received(orderId), [], 'nothing was paid or dispatched, so nothing is refunded or recalled');
    await steps.recordHistory('lock-on-order-cancelled', orderId);
  });

  test('a first order over 5000 waits for review without reserving stock, and ships once approved', async () => {
    const before = await steps.balance('TEE-001', 'suzhou');
    // 5000.02 posted is 500002 fen inside the hub, just over the 500000-fen (5000.00) threshold.
    const order = paid(
      makeOrder({
        lines: [{ lineId: 'L1', sku: 'TEE-001', category: 'tshirt', quantity: 2, unitPrice: 2500.01, listPrice: 2500.01 }],
        amounts: { goods: 5000.02, shipping: 0, discount: 0, paid: 5000.02 },
      }),
    );
    const orderId = await steps.submit(order);
    const held = await steps.waitFor(orderId, 'ON_HOLD');
    assert.deepEqual(
      held.holds.map((h) => [h.reason, h.detail]),
      [['HIGH_VALUE_FIRST_ORDER', "paid 5000.02 > 5000.00 on the buyer's first order"]],
    );
    assert.equal(held.order.amounts.paid, 500_002);
    const notice = await eventually(
      async () =>
        hub.partners.operations
          .events('operations.alert')
          .find(
            (e) => (e.data as { orderId: string; kind: string }).orderId === orderId && (e.data as { kind: string }).kind === 'orderHeld',
          ),
      'the supervisor notice',
    );
    assert.deepEqual(
      (notice.data as { detail: { holds: Array<{ reason: string }> } }).detail.holds.map((h) => h.reason),
      ['HIGH_VALUE_FIRST_ORDER'],
    );
    assert.equal((await steps.balance('TEE-001', 'suzhou')).reserved, before.reserved);

    const approved = await hub.ops('POST', `/v1/orders/${orderId}/review`, { decision: 'approve', note: 'called the buyer' });
    assert.equal(approved.status, 200);
    assert.notEqual(approved.body.status, 'ON_HOLD');
    await steps.waitFor(orderId, 'FULFILLING');
    assert.equal((await steps.balance('TEE-001', 'suzhou')).reserved, before.reserved + 2);
    const trail = (await hub.ops('GET', `/v1/orders/${orderId}/audit`)).body.entries;
    const review = trail.find((e: { action: string }) => e.action === 'HOLD_APPROVED');
    assert.deepEqual(review.actor, { kind: 'operations', id: 'ops-tester' });
    assert.equal(review.detail, 'called the buyer');
    assert.deepEqual(trail.map((e: { action: string }) => e.action).slice(0, 5), [
      'ORDER_RECEIVED',
      'PAYMENT_RECEIVED',
      'ORDER_HELD',
      'HOLD_APPROVED',
      'STOCK_RESERVED',
    ]);
    const again = await hub.ops('POST', `/v1/orders/${orderId}/review`, { decision: 'approve' });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'NOT_ON_HOLD');
    await steps.recordHistory('hold-approved', orderId);
  });

  test("the same buyer's next large order is not a first order: buyer history comes from earlier orders", async () => {
    const buyer = { id: `buyer-repeat-${Date.now()}`, phone: '13812345678' };
    const large = {
      lines: [{ lineId: 'L1', sku: 'TEE-001', category: 'tshirt', quantity: 2, unitPrice: 3000, listPrice: 3000 }],
      amounts: { goods: 6000, shipping: 0, discount: 0, paid: 6000 },
      buyer,
    };
    const first = await steps.submit(paid(makeOrder({ ...large, brand: 'slowco' })));
    assert.deepEqual(
      (await steps.waitFor(first, 'ON_HOLD')).holds.map((h) => h.reason),
      ['HIGH_VALUE_FIRST_ORDER'],
    );
    const second = await steps.submit(paid(makeOrder({ ...large, brand: 'slowco' })));
    assert.deepEqual((await steps.waitFor(second, 'FULFILLING')).holds, []);
  });

  test('a rejected held order is cancelled cleanly: refunded, nothing reserved', async () => {
    const before = await steps.balance('TEE-001', 'suzhou');
    const order = paid(
      makeOrder({ shippingAddress: { name: '李四', phone: '13900000000', province: '江苏', city: '苏州', line1: '附近' } }),
    );
    const orderId = await steps.submit(order);
    const held = await steps.waitFor(orderId, 'ON_HOLD');
    assert.ok(held.holds.some((h) => h.reason === 'VAGUE_ADDRESS'));
    const rejected = await hub.ops('POST', `/v1/orders/${orderId}/review`, { decision: 'reject', note: 'fake address' });
    assert.equal(rejected.status, 200);
    assert.equal(rejected.body.status, 'CANCELLED');
    assert.equal((await steps.balance('TEE-001', 'suzhou')).reserved, before.reserved);
    assert.deepEqual(
      steps.received(orderId),
      ['operations:operations.alert', 'channel:refund.requested'],
      'the supervisor was told, then the marketplace (which holds the money) refunded',
    );
    assert.deepEqual(await steps.auditActions(orderId), [
      'ORDER_RECEIVED',
      'PAYMENT_RECEIVED',
      'ORDER_HELD',
      'HOLD_REJECTED',
      'ORDER_CANCELLED',
    ]);
    await steps.recordHistory('hold-rejected', orderId);
  });

  test('cancelling before routing releases nothing and refunds nothing that was not taken', async () => {
    const orderId = await steps.submit(makeOrder({ brand: 'slowco' }));
    await steps.waitFor(orderId, 'AWAITING_PAYMENT');
    const answer = await hub.channel('tmall', `/orders/${orderId.slice('tmall-'.length)}/cancel`, {
      by: 'buyer',
      actor: 'buyer-1',
      reason: 'changed my mind',
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.status, 'CANCELLED');
    assert.deepEqual(answer.body.cancellation.by, 'buyer');
    assert.deepEqual(steps.received(orderId), []);
    const twice = await hub.ops('POST', `/v1/orders/${orderId}/cancel`, { reason: 'again' });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.error.code, 'ALREADY_CLOSED');
    await steps.recordHistory('cancel-before-routing', orderId);
  });

  test('cancelling after the supplier push recalls it, releases warehouse stock and refunds', async () => {
    const before = await steps.balance('TEE-001', 'suzhou');
    const order = paid(
      makeOrder({
        lines: [
          { lineId: 'L1', sku: 'TEE-001', category: 'tshirt', quantity: 1, unitPrice: 99, listPrice: 99 },
          { lineId: 'L2', sku: 'SOFA-9', category: 'sofa', quantity: 1, unitPrice: 1999, listPrice: 1999 },
        ],
        amounts: { goods: 2098, shipping: 0, discount: 0, paid: 2098 },
      }),
    );
    const orderId = await steps.submit(order);
    const fulfilling = await steps.waitFor(orderId, 'FULFILLING');
    assert.deepEqual(fulfilling.shipments.map((s) => `${s.kind}:${s.locationId}`).sort(), ['supplier:sofa-maker', 'warehouse:suzhou']);
    const answer = await hub.ops('POST', `/v1/orders/${orderId}/cancel`, { reason: 'fraud suspected' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.status, 'CANCELLED');
    assert.equal((await steps.balance('TEE-001', 'suzhou')).reserved, before.reserved);
    const received = steps.received(orderId);
    assert.deepEqual([...received].sort(), [
      'carrier:waybill.requested',
      'channel:refund.requested',
      'supplier:dropship.order_created',
      'supplier:dropship.order_notice',
      'supplier:dropship.order_recalled',
      'wms:pick_list.created',
      'wms:pick_list.withdrawn',
    ]);
    assert.equal(received.at(-1), 'channel:refund.requested', 'the refund comes last, after the recalls');
    await steps.recordHistory('cancel-after-supplier-push', orderId);
  });

  test('an address change before shipment re-routes to the new region and moves the reservation', async () => {
    const orderId = await steps.submit(paid(makeOrder({ brand: 'slowco' })));
    const fulfilling = await steps.waitFor(orderId, 'FULFILLING');
    assert.equal(fulfilling.shipments[0]!.locationId, 'suzhou');
    const suzhou = await steps.balance('TEE-001', 'suzhou');
    const guangzhou = await steps.balance('TEE-001', 'guangzhou');
    const address = { name: '王五', phone: '13700000000', province: '广东', city: '广州', line1: '天河路 385 号 10 楼' };
    const answer = await hub.ops('POST', `/v1/orders/${orderId}/address`, { address });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.order.shippingAddress.province, '广东');
    assert.deepEqual(
      answer.body.shipments.map((s: { locationId: string }) => s.locationId),
      ['guangzhou'],
    );
    assert.equal((await steps.balance('TEE-001', 'suzhou')).reserved, suzhou.reserved - 1);
    assert.equal((await steps.balance('TEE-001', 'guangzhou')).reserved, guangzhou.reserved + 1);
    assert.deepEqual(steps.received(orderId), [
      'carrier:waybill.requested',
      'wms:pick_list.created',
      'wms:pick_list.withdrawn',
      'carrier:waybill.requested',
      'wms:pick_list.created',
    ]);
    const [first, second] = hub.partners.wms.events('pick_list.created').filter((e) => (e.data as { orderId: string }).orderId === orderId);
    assert.deepEqual(
      [first!.data, second!.data].map((d) => (d as { warehouseId: string }).warehouseId),
      ['suzhou', 'guangzhou'],
    );
    const actions = await steps.auditActions(orderId);
    assert.deepEqual(actions.slice(-3), ['STOCK_RELEASED', 'ORDER_REROUTED', 'ADDRESS_CHANGED']);
    const changed = (await hub.ops('GET', `/v1/orders/${orderId}/audit`)).body.entries.at(-1);
    assert.equal(changed.before.province, '江苏');
    assert.equal(changed.after.province, '广东');
    await steps.recordHistory('address-change-reroute', orderId);
  });

  test('an address outside the delivery area is refused with 422, and any change is refused once shipped', async () => {
    const orderId = await steps.submit(paid(makeOrder({ brand: 'slowco' })));
    await steps.waitFor(orderId, 'FULFILLING');
    const nowhere = await hub.ops('POST', `/v1/orders/${orderId}/address`, {
      address: { name: 'X', phone: '13700000000', province: 'Atlantis', city: 'A', line1: 'Somewhere 1' },
    });
    assert.equal(nowhere.status, 422);
    assert.equal(nowhere.body.error.code, 'UNDELIVERABLE_ADDRESS');
    await steps.shipAll(orderId);
    await steps.waitFor(orderId, 'SHIPPED');
    const late = await hub.ops('POST', `/v1/orders/${orderId}/address`, {
      address: { name: '王五', phone: '13700000000', province: '广东', city: '广州', line1: '天河路 385 号 10 楼' },
    });
    assert.equal(late.status, 409);
    assert.equal(late.body.error.code, 'ALREADY_SHIPPED');
    const cancel = await hub.ops('POST', `/v1/orders/${orderId}/cancel`, { reason: 'too late' });
    assert.equal(cancel.status, 409);
    assert.equal((await steps.read(orderId)).order.shippingAddress.province, '江苏');
    await steps.recordHistory('address-change-refused', orderId);
  });

  test('a payment notice before the order, and repeated events, converge on one paid order', async () => {
    const order = makeOrder({ brand: 'slowco' });
    const orderId = `tmall-${order.channelOrderId}`;
    const notice = {
      type: 'paid',
      eventId: `${order.channelOrderId}:paid`,
      channelOrderId: order.channelOrderId,
      paidAt: '2026-11-24T08:01:00Z',
      amount: 99,
    };
    const early = await hub.channel('tmall', '/events', notice);
    assert.equal(early.status, 202);
    assert.deepEqual(early.body, { orderId, status: 'ACCEPTED' });
    const waiting = await hub.ops('GET', `/v1/orders/${orderId}`);
    assert.equal(waiting.body.workflow.status, 'RUNNING');
    assert.equal(waiting.body.order, undefined, 'only the payment notice has arrived, not the order');
    await steps.submit(order, 'created-1');
    await steps.submit(order, 'created-1');
    assert.equal((await hub.channel('tmall', '/events', notice)).status, 202);
    const view = await steps.waitFor(orderId, 'FULFILLING');
    assert.equal(view.order.paymentStatus, 'paid');
    assert.equal(view.reservations.length, 1);
    const actions = await steps.auditActions(orderId);
    assert.equal(actions.filter((a) => a === 'PAYMENT_RECEIVED').length, 1);
    assert.equal(actions.filter((a) => a === 'STOCK_RESERVED').length, 1);
    await steps.recordHistory('out-of-order-intake', orderId);
  });

  test("a payment notice whose amount is not the order's holds the order for review instead of shipping it", async () => {
    const order = makeOrder({ brand: 'slowco' });
    const orderId = await steps.submit(order);
    const notice = {
      type: 'paid',
      eventId: `${order.channelOrderId}:paid-cheap`,
      channelOrderId: order.channelOrderId,
      paidAt: new Date().toISOString(),
      amount: 0.01,
    };
    assert.equal((await hub.channel('tmall', '/events', notice)).status, 202);
    const held = await steps.waitFor(orderId, 'ON_HOLD');
    assert.deepEqual(
      held.holds.map((h) => h.reason),
      ['PAYMENT_AMOUNT_MISMATCH'],
    );
    assert.match(held.holds[0]!.detail, /reports 1, the order says 9900/);
    assert.deepEqual(held.reservations, [], 'nothing is reserved while the payment is in doubt');
    // The supervisor is told right after the hold is written down, so the hold can be read a moment earlier.
    assert.deepEqual(await steps.receivedEventually(orderId, ['operations:operations.alert']), ['operations:operations.alert']);
    await steps.recordHistory('payment-amount-mismatch', orderId);
  });

  test('a return is accepted between delivery and the end of the window, refused before delivery', async () => {
    const orderId = await steps.submit(paid(makeOrder({ brand: 'slowco' })));
    const view = await steps.waitFor(orderId, 'FULFILLING');
    const channelOrderId = orderId.slice('tmall-'.length);
    const ask = (body: object) => hub.channel('tmall', `/orders/${channelOrderId}/returns`, body);
    const early = await ask({ returnId: 'R1', lines: [{ lineId: 'L1', quantity: 1 }], reason: 'size_fit' });
    assert.deepEqual([early.status, early.body.error.code], [409, 'NOT_DELIVERED']);
    await steps.shipAll(orderId);
    await steps.progress(orderId, view.shipments[0]!.shipmentId, 'delivered');
    await steps.waitFor(orderId, 'DELIVERED');
    const accepted = await ask({ returnId: 'R1', lines: [{ lineId: 'L1', quantity: 1 }], reason: 'size_fit' });
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    assert.equal((await steps.read(orderId)).returns.length, 1);
    const unknownLine = await ask({ returnId: 'R2', lines: [{ lineId: 'L9', quantity: 1 }], reason: 'size_fit' });
    assert.deepEqual([unknownLine.status, unknownLine.body.error.code], [422, 'UNKNOWN_LINE']);
    await steps.recordHistory('return-requested', orderId);
  });

  test('held orders are listed through Temporal visibility with OrderStatus and NeedsAttention filters', async () => {
    const order = paid(
      makeOrder({
        lines: [{ lineId: 'L1', sku: 'TEE-001', category: 'tshirt', quantity: 1, unitPrice: 99, listPrice: 299 }],
        channel: 'douyin',
      }),
    );
    const orderId = await steps.submit(order);
    await steps.waitFor(orderId, 'ON_HOLD');
    const query = `OrderStatus = "ON_HOLD" AND NeedsAttention = true AND HoldReason = "PRICE_BELOW_GUARD" AND TaskQueue = "${hub.config.TEMPORAL_TASK_QUEUE}"`;
    const listed = await eventually(async () => {
      const ids: string[] = [];
      for await (const execution of hub.client.workflow.list({ query })) ids.push(execution.workflowId);
      return ids.includes(`Order:${orderId}`) ? ids : undefined;
    }, 'the held order in visibility');
    assert.ok(listed.every((id) => id.startsWith('Order:')));
    const description = await hub.client.workflow.getHandle(`Order:${orderId}`).describe();
    assert.match((await description.staticSummary()) ?? '', new RegExp(orderId));
    const metadata = await hub.client.workflow
      .getHandle(`Order:${orderId}`)
      .query<{ currentDetails: string }>('__temporal_workflow_metadata');
    assert.match(metadata.currentDetails, /waiting for \*\*review\*\* since/);
    await steps.recordHistory('price-guard-hold', orderId);
  });

  test('a reservation that takes stock under its safety threshold alerts operations (INV-4)', async () => {
    await hub.stores.ledger.setSafetyThreshold('MUG-002', 'suzhou', 48);
    const orderId = await steps.submit(
      paid(
        makeOrder({
          lines: [{ lineId: 'L1', sku: 'MUG-002', category: 'mug', quantity: 3, unitPrice: 20, listPrice: 20 }],
          amounts: { goods: 60, shipping: 0, discount: 0, paid: 60 },
        }),
      ),
    );
    await steps.waitFor(orderId, 'FULFILLING');
    const alert = await steps.operationsAlert(orderId, 'stockBelowSafety');
    assert.deepEqual((alert.data as { detail: unknown }).detail, {
      sku: 'MUG-002',
      warehouseId: 'suzhou',
      available: 47,
      safetyThreshold: 48,
    });
  });

  test('the order list filters the read model by status, channel, brand and date, in pages', async () => {
    const byStatus = await hub.ops('GET', '/v1/orders?status=ON_HOLD&channel=douyin');
    assert.equal(byStatus.status, 200);
    assert.ok(byStatus.body.items.length >= 1);
    assert.ok(byStatus.body.items.every((o: { status: string; channel: string }) => o.status === 'ON_HOLD' && o.channel === 'douyin'));
    const brand = await hub.ops('GET', '/v1/orders?brand=slowco&pageSize=2&page=1');
    assert.equal(brand.body.items.length, 2);
    assert.ok(brand.body.total > 2);
    assert.ok(brand.body.items.every((o: { brand: string }) => o.brand === 'slowco'));
    const later = await hub.ops('GET', '/v1/orders?from=2030-01-01T00:00:00Z');
    assert.deepEqual(later.body.items, []);
    const warehouse = await hub.ops('GET', '/v1/orders?warehouseId=guangzhou');
    assert.ok(warehouse.body.items.length >= 1);
    assert.ok(warehouse.body.items.every((o: { warehouseIds: string[] }) => o.warehouseIds.includes('guangzhou')));
  });

  test('malformed reviews, cancellations, address changes and shipment reports get a 4xx, never a 5xx', async () => {
    const orderId = await steps.submit(paid(makeOrder({ brand: 'slowco' })));
    const view = await steps.waitFor(orderId, 'FULFILLING');
    const shipmentId = view.shipments[0]!.shipmentId;
    const answers = await Promise.all([
      hub.ops('POST', `/v1/orders/${orderId}/review`, { decision: 'maybe' }),
      hub.ops('POST', `/v1/orders/${orderId}/review`, { decision: 'approve' }),
      hub.ops('POST', `/v1/orders/${orderId}/cancel`, {}),
      hub.ops('POST', `/v1/orders/${orderId}/address`, { address: { province: 42 } }),
      hub.ops('POST', `/v1/orders/${orderId}/shipments/${shipmentId}/progress`, { step: 'teleported', at: 'now' }),
      hub.ops('POST', `/v1/orders/${orderId}/shipments/${shipmentId}/progress`, { step: 'shipped', at: new Date().toISOString() }),
      hub.ops('POST', `/v1/orders/${orderId}/shipments/${shipmentId}/progress`, { step: 'delivered', at: new Date().toISOString() }),
      hub.ops('POST', `/v1/orders/${orderId}/shipments/NOPE/progress`, { step: 'accepted', at: new Date().toISOString() }),
      hub.ops('POST', `/v1/orders/${orderId}/cancel`, { reason: 'x' }, { 'idempotency-key': 'has spaces' }),
    ]);
    assert.deepEqual(
      answers.map((a) => `${a.status} ${a.body.error?.code}`),
      [
        '400 VALIDATION',
        '409 NOT_ON_HOLD',
        '400 VALIDATION',
        '400 VALIDATION',
        '400 VALIDATION',
        '400 VALIDATION',
        '409 INVALID_TRANSITION',
        '404 UNKNOWN_SHIPMENT',
        '400 VALIDATION',
      ],
    );
    assert.equal((await steps.read(orderId)).status, 'FULFILLING', 'nothing changed');
  });

  test('no lifecycle path leaks a reservation: every key of a finished order is released or committed', async () => {
    const finished = await hub.db.models.Order.find({ status: { $in: ['CANCELLED', 'COMPLETED'] } }, { _id: 1 }).lean();
    assert.ok(finished.length >= 6, `expected the finished orders of this file, found ${finished.length}`);
    for (const { _id: orderId } of finished) {
      const entries = await hub.db.models.StockEntry.find({ orderId }).lean();
      const reserved = entries.filter((e) => e.kind === 'reserve').map((e) => e.reservationKey);
      const settled = new Set(entries.filter((e) => e.kind === 'release' || e.kind === 'commit').map((e) => e.reservationKey));
      assert.deepEqual(
        reserved.filter((key) => !settled.has(key)),
        [],
        `${orderId} still holds stock`,
      );
    }
  });
});
