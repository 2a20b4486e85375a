/**
 * Returns end to end on the real dev server (RF-1…RF-4): a request checked at once, a return label from the carrier,
 * the inbound parcel booked at the WMS, receipt and inspection by the warehouse, resellable units back on stock, the
 * refund paid once by whoever holds the money and written back to the channel, an inspection failure told to the
 * customer, an exchange shipped through routing, and finance told of a refund that does not settle in time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { returnWorkflowId } from '../../src/domain/ids';
import type { OrderView } from '../../src/domain/orderView';
import type { ReturnView } from '../../src/domain/returns';
import { makeOrder, paid, type WireOrder } from '../fixtures/orders';
import { seedHub } from '../fixtures/network';
import { eventually, startHarness, type Harness } from './harness';
import { lifecycle } from './lifecycleSupport';

describe('returns, refunds and exchanges', () => {
  let hub: Harness;
  let steps: ReturnType<typeof lifecycle>;
  before(async () => {
    hub = await startHarness('returns');
    steps = lifecycle(hub);
    await seedHub(hub, {
      stock: { 'TEE-001@suzhou': 100, 'MUG-001@suzhou': 100, 'LAST-1@suzhou': 1 },
      policy: { returnWindowSeconds: 3600 },
      overrides: [{ id: 'short-window', brand: 'shortco', settings: { returnWindowSeconds: 3 } }],
    });
    const saved = await hub.ops('PUT', '/v1/settings/return-policy', {
      body: {
        base: { notReturnable: [{ category: 'underwear', note: 'hygiene' }], refundSettlementAlertSeconds: '1h' },
        overrides: [{ id: 'slow-refunds', brand: 'slowco', settings: { refundSettlementAlertSeconds: '2s' } }],
      },
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
  });
  after(async () => {
    await hub?.stop();
  });

  /** An order placed, shipped and delivered: the return window is open. */
  const delivered = async (order: WireOrder): Promise<OrderView> => {
    const orderId = await steps.submit(paid(order));
    await steps.waitFor(orderId, 'FULFILLING');
    await steps.shipAll(orderId);
    for (const shipment of (await steps.read(orderId)).shipments)
      assert.equal((await steps.progress(orderId, shipment.shipmentId, 'delivered')).status, 200);
    return steps.waitFor(orderId, 'DELIVERED');
  };
  const ask = (order: WireOrder, body: object) => hub.channel(order.channel, `/orders/${order.channelOrderId}/returns`, body);
  const returnOf = async (orderId: string, returnId: string): Promise<ReturnView> => {
    const answer = await hub.ops('GET', `/v1/orders/${orderId}/returns/${returnId}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body;
  };
  const reaches = (orderId: string, returnId: string, status: ReturnView['status']) =>
    eventually(async () => {
      const view = await returnOf(orderId, returnId);
      return view.status === status ? view : undefined;
    }, `return ${returnId} to be ${status}`);
  /** A delivered order whose buyer asked to return its line (R1) and got the label. */
  const labelled = async (reason: string) => {
    const order = makeOrder();
    const { orderId } = await delivered(order);
    const asked = await ask(order, { returnId: 'R1', lines: [{ lineId: 'L1', quantity: 1 }], reason });
    assert.equal(asked.status, 201, JSON.stringify(asked.body));
    await reaches(orderId, 'R1', 'LABEL_ISSUED');
    return { order, orderId, rma: asked.body.rma as string };
  };
  const receive = (orderId: string, returnId: string) =>
    hub.ops('POST', `/v1/orders/${orderId}/returns/${returnId}/receipt`, { at: new Date().toISOString() });
  const inspect = (orderId: string, returnId: string, lines: object[]) =>
    hub.ops('POST', `/v1/orders/${orderId}/returns/${returnId}/inspection`, { lines, inspector: 'qc-1', at: new Date().toISOString() });

  test('a full refund: label, inbound booking, receipt, inspection, restock, refund paid once and written back', async () => {
    const order = makeOrder();
    const { orderId } = await delivered(order);
    const started = Date.now();
    const elapsed: Record<string, number> = {};
    const before = (await steps.balance('TEE-001', 'suzhou')).onHand;
    const asked = await ask(order, { returnId: 'R1', lines: [{ lineId: 'L1', quantity: 1 }], reason: 'size_fit' });
    assert.equal(asked.status, 201, JSON.stringify(asked.body));
    assert.match(asked.body.rma, /^RMA-/);
    const labelled = await reaches(orderId, 'R1', 'LABEL_ISSUED');
    elapsed.label = Date.now() - started;
    assert.ok(labelled.label?.trackingNumber, 'the carrier issued the return label');
    assert.ok(
      hub.partners.carrier.waybills().some((w) => w.shipmentId === asked.body.rma && w.trackingNumber === labelled.label?.trackingNumber),
      'the carrier issued the label under the RMA',
    );
    const booked = hub.partners.wms.events('return.expected').find((e) => (e.data as { rma: string }).rma === asked.body.rma);
    assert.ok(booked, 'the WMS expects the parcel');
    // Another warehouse's key cannot scan this return in: its id answers like a missing one.
    const hefei = await hub.stores.accounts.create({ kind: 'warehouse', partyId: 'hefei', name: 'Hefei WMS', actor: 'test' });
    const stranger = await hub.request(
      'POST',
      `/v1/orders/${orderId}/returns/R1/receipt`,
      JSON.stringify({ at: new Date().toISOString() }),
      {
        'x-api-key': hefei.key.apiKey,
      },
    );
    assert.deepEqual([stranger.status, stranger.body.error?.code], [404, 'UNKNOWN_RETURN']);
    const suzhou = await hub.stores.accounts.create({ kind: 'warehouse', partyId: 'suzhou', name: 'Suzhou WMS', actor: 'test' });
    const scanned = await hub.request(
      'POST',
      `/v1/orders/${orderId}/returns/R1/receipt`,
      JSON.stringify({ at: new Date().toISOString() }),
      {
        'x-api-key': suzhou.key.apiKey,
      },
    );
    assert.equal(scanned.status, 200, JSON.stringify(scanned.body));
    elapsed.received = Date.now() - started;
    const inspected = await inspect(orderId, 'R1', [{ lineId: 'L1', quantity: 1, condition: 'intact' }]);
    assert.equal(inspected.status, 200, JSON.stringify(inspected.body));
    const refunded = await reaches(orderId, 'R1', 'REFUNDED');
    elapsed.refunded = Date.now() - started;
    assert.equal((await steps.balance('TEE-001', 'suzhou')).onHand, before + 1, 'the intact unit is back on stock');
    assert.equal(refunded.refund?.state, 'settled');
    assert.equal(refunded.refund?.amountMinor, 9900);
    const refunds = hub.partners.storefront.events('refund.requested').filter((e) => (e.data as { orderId: string }).orderId === orderId);
    assert.equal(refunds.length, 1, 'the marketplace refunds once');
    assert.equal((refunds[0]!.data as { amountMinor: number }).amountMinor, 9900);
    assert.ok(hub.partners.storefront.events('refund.completed').some((e) => (e.data as { orderId: string }).orderId === orderId));
    // The return tells its order a moment later (a signal): the order lists it with what was refunded.
    const listed = await eventually(async () => {
      const returns = (await steps.read(orderId)).returns;
      return returns[0]?.status === 'REFUNDED' ? returns : undefined;
    }, 'the order to show the refund');
    assert.deepEqual(
      listed.map((r) => [r.returnId, r.status, r.refundedMinor]),
      [['R1', 'REFUNDED', 9900]],
    );
    const actions = await eventually(async () => {
      const all = await steps.auditActions(orderId);
      return all.includes('RETURN_REFUNDED') ? all : undefined;
    }, 'the order audit to show the refund');
    assert.ok(actions.includes('RETURN_REQUESTED') && actions.includes('RETURN_INSPECTED'));
    const trail = (await hub.ops('GET', `/v1/orders/${orderId}/audit`)).body.entries as Array<{
      action: string;
      after?: { report?: string };
    }>;
    assert.equal(
      trail.find((e) => e.action === 'RETURN_INSPECTED')?.after?.report,
      `/v1/orders/${orderId}/returns/R1`,
      'the trail links the report',
    );
    const hour = 3_600_000;
    const rates = await hub.ops(
      'GET',
      `/v1/returns/rates?brand=acme&from=${encodeURIComponent(new Date(Date.now() - hour).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + hour).toISOString())}`,
    );
    assert.equal(rates.status, 200, JSON.stringify(rates.body));
    const tee = rates.body.bySku.find((r: { sku: string }) => r.sku === 'TEE-001');
    assert.ok(tee.returnedUnits >= 1 && tee.shippedUnits >= tee.returnedUnits, JSON.stringify(tee));
    console.log(`[returns] elapsed from request: ${JSON.stringify(elapsed)} ms`);
    // The return's own clock: workflow time of each step from the request (receipt and inspection were immediate here).
    const steps0 = Date.parse(refunded.timeline[0]!.at);
    console.log(
      `[returns] workflow time per step: ${refunded.timeline.map((t) => `${t.status} +${Date.parse(t.at) - steps0} ms`).join(', ')}`,
    );
    await steps.recordHistory('return-refunded', orderId, returnWorkflowId(orderId, 'R1'));
    await steps.waitFor(orderId, 'DELIVERED');
  });

  test('the order stays open while a return is in flight after its window ends, and completes once the return is done', async () => {
    const order = makeOrder({
      brand: 'shortco',
      lines: [{ lineId: 'L1', sku: 'TEE-001', category: 'tshirt', quantity: 2, unitPrice: 99, listPrice: 99 }],
      amounts: { goods: 198, shipping: 0, discount: 0, paid: 198 },
    });
    const { orderId } = await delivered(order);
    assert.equal((await ask(order, { returnId: 'R1', lines: [{ lineId: 'L1', quantity: 1 }], reason: 'size_fit' })).status, 201);
    await reaches(orderId, 'R1', 'LABEL_ISSUED');
    // The 3 s window passes with the return in flight: the order waits for it.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    assert.equal((await steps.read(orderId)).status, 'DELIVERED');
    const late = await ask(order, { returnId: 'R2', lines: [{ lineId: 'L1', quantity: 1 }], reason: 'size_fit' });
    assert.deepEqual([late.status, late.body.error?.code], [409, 'RETURN_WINDOW_CLOSED'], 'a new request after the window is refused');
    await receive(orderId, 'R1');
    await inspect(orderId, 'R1', [{ lineId: 'L1', quantity: 1, condition: 'intact' }]);
    await reaches(orderId, 'R1', 'REFUNDED');
    await steps.waitFor(orderId, 'COMPLETED');
    const closed = await ask(order, { returnId: 'R3', lines: [{ lineId: 'L1', quantity: 1 }], reason: 'size_fit' });
    assert.deepEqual([closed.status, closed.body.error.code], [409, 'ALREADY_CLOSED']);
  });

  test('a return withdrawn before its parcel arrives: the WMS stops expecting it, its units may be asked for again', async () => {
    const { order, orderId, rma } = await labelled('size_fit');
    const withdraw = (returnId: string, body: object) =>
      hub.channel(order.channel, `/orders/${order.channelOrderId}/returns/${returnId}/cancel`, body);
    assert.equal((await withdraw('R1', {})).status, 400, 'a withdrawal says why');
    const withdrawn = await withdraw('R1', { reason: 'changed my mind' });
    assert.equal(withdrawn.status, 200, JSON.stringify(withdrawn.body));
    assert.equal(withdrawn.body.status, 'CANCELLED');
    assert.deepEqual(
      [withdrawn.body.cancellation.by, withdrawn.body.cancellation.reason],
      [`buyer via ${order.channel}`, 'changed my mind'],
    );
    const told = hub.partners.wms.events('return.cancelled').filter((e) => (e.data as { rma: string }).rma === rma);
    assert.equal(told.length, 1, 'the receiving WMS is told once');
    const again = await withdraw('R1', { reason: 'twice' });
    assert.deepEqual([again.status, again.body.error?.code], [409, 'INVALID_TRANSITION']);
    assert.equal((await receive(orderId, 'R1')).status, 409, 'a withdrawn return is not scanned in');
    await eventually(async () => {
      const entry = (await steps.read(orderId)).returns.find((r) => r.returnId === 'R1');
      return entry?.status === 'CANCELLED' ? true : undefined;
    }, 'the order to show the withdrawal');
    assert.ok((await steps.auditActions(orderId)).includes('RETURN_CANCELLED'));
    // The withdrawn unit is the buyer's to return again; once that parcel is in, inspection decides, not a withdrawal.
    const second = await ask(order, { returnId: 'R2', lines: [{ lineId: 'L1', quantity: 1 }], reason: 'size_fit' });
    assert.equal(second.status, 201, JSON.stringify(second.body));
    await reaches(orderId, 'R2', 'LABEL_ISSUED');
    assert.equal((await receive(orderId, 'R2')).status, 200);
    const tooLate = await hub.ops('POST', `/v1/orders/${orderId}/returns/R2/cancel`, { reason: 'the buyer called' });
    assert.deepEqual([tooLate.status, tooLate.body.error?.code], [409, 'RETURN_ALREADY_RECEIVED']);
    await steps.recordHistory('return-withdrawn', orderId, returnWorkflowId(orderId, 'R1'));
  });

  test('RF-1: not delivered, not returnable, more than shipped, and an unknown order are refused with their reasons', async () => {
    const open = makeOrder();
    const orderId = await steps.submit(paid(open));
    await steps.waitFor(orderId, 'FULFILLING');
    const early = await ask(open, { returnId: 'R1', lines: [{ lineId: 'L1', quantity: 1 }], reason: 'size_fit' });
    assert.deepEqual([early.status, early.body.error.code], [409, 'NOT_DELIVERED']);

    const underwear = makeOrder({
      lines: [
        { lineId: 'L1', sku: 'TEE-001', category: 'underwear', quantity: 1, unitPrice: 50, listPrice: 50 },
        { lineId: 'L2', sku: 'MUG-001', category: 'mug', quantity: 2, unitPrice: 20, listPrice: 20 },
      ],
      amounts: { goods: 90, shipping: 0, discount: 0, paid: 90 },
    });
    await delivered(underwear);
    const refused = await ask(underwear, { returnId: 'R1', lines: [{ lineId: 'L1', quantity: 1 }], reason: 'size_fit' });
    assert.deepEqual([refused.status, refused.body.error.code], [422, 'NOT_RETURNABLE']);
    assert.match(refused.body.error.message, /hygiene/);
    const tooMany = await ask(underwear, { returnId: 'R2', lines: [{ lineId: 'L2', quantity: 3 }], reason: 'size_fit' });
    assert.deepEqual([tooMany.status, tooMany.body.error.code], [422, 'RETURN_QUANTITY_EXCEEDED']);
    const bad = await ask(underwear, { returnId: 'R3', lines: [], reason: 'nope' });
    assert.equal(bad.status, 400);
    const unknown = await hub.channel('tmall', '/orders/NOPE404/returns', {
      returnId: 'R1',
      lines: [{ lineId: 'L1', quantity: 1 }],
      reason: 'size_fit',
    });
    assert.equal(unknown.status, 404);
  });

  test('two partial returns of a multi-line order: each line refunded for what came back, the third asks too much', async () => {
    const order = makeOrder({
      lines: [
        { lineId: 'L1', sku: 'TEE-001', category: 'tshirt', quantity: 2, unitPrice: 100, listPrice: 100 },
        { lineId: 'L2', sku: 'MUG-001', category: 'mug', quantity: 1, unitPrice: 40, listPrice: 40 },
      ],
      amounts: { goods: 240, shipping: 0, discount: 24, paid: 216 },
    });
    const { orderId } = await delivered(order);
    assert.equal((await ask(order, { returnId: 'R1', lines: [{ lineId: 'L1', quantity: 1 }], reason: 'size_fit' })).status, 201);
    const second = await ask(order, {
      returnId: 'R2',
      lines: [
        { lineId: 'L1', quantity: 1 },
        { lineId: 'L2', quantity: 1 },
      ],
      reason: 'damaged',
    });
    assert.equal(second.status, 201, JSON.stringify(second.body));
    const third = await ask(order, { returnId: 'R3', lines: [{ lineId: 'L1', quantity: 1 }], reason: 'size_fit' });
    assert.deepEqual([third.status, third.body.error.code], [422, 'RETURN_QUANTITY_EXCEEDED']);
    const again = await ask(order, { returnId: 'R1', lines: [{ lineId: 'L1', quantity: 1 }], reason: 'size_fit' });
    assert.deepEqual([again.status, again.body.rma], [201, (await returnOf(orderId, 'R1')).rma], 'a repeated request answers the first');
    for (const [returnId, lines] of [
      ['R1', [{ lineId: 'L1', quantity: 1, condition: 'intact' }]],
      [
        'R2',
        [
          { lineId: 'L1', quantity: 1, condition: 'light_wear' },
          { lineId: 'L2', quantity: 1, condition: 'intact' },
        ],
      ],
    ] as const) {
      await reaches(orderId, returnId, 'LABEL_ISSUED');
      assert.equal((await receive(orderId, returnId)).status, 200);
      assert.equal((await inspect(orderId, returnId, [...lines])).status, 200);
    }
    const [r1, r2] = [await reaches(orderId, 'R1', 'REFUNDED'), await reaches(orderId, 'R2', 'REFUNDED')];
    // 216 paid for 240 of goods: each unit of L1 cost 90.00, L2 36.00; together the two returns refund everything.
    assert.deepEqual([r1.refund?.amountMinor, r2.refund?.amountMinor], [9000, 12600]);
    await steps.recordHistory('order-two-returns', orderId);
  });

  test('inspection failure: the customer is told by SMS, operations decide a partial refund', async () => {
    const order = makeOrder();
    const { orderId } = await delivered(order);
    assert.equal((await ask(order, { returnId: 'R1', lines: [{ lineId: 'L1', quantity: 1 }], reason: 'quality' })).status, 201);
    await reaches(orderId, 'R1', 'LABEL_ISSUED');
    await receive(orderId, 'R1');
    assert.equal((await inspect(orderId, 'R1', [{ lineId: 'L1', quantity: 1, condition: 'not_resellable', note: 'stained' }])).status, 200);
    const waiting = await reaches(orderId, 'R1', 'AWAITING_DECISION');
    const text = await eventually(
      async () => hub.partners.sms.sent().find((m) => m.phone === '13812345678' && JSON.stringify(m).includes(waiting.rma)),
      'the customer SMS',
    );
    assert.ok(text);
    // Operations find it in the Web UI (ReturnStatus) and through the API (by status and reason).
    const workflowId = returnWorkflowId(orderId, 'R1');
    await eventually(async () => {
      for await (const wf of hub.client.workflow.list({ query: `ReturnStatus = 'AWAITING_DECISION' AND ReturnReason = 'quality'` }))
        if (wf.workflowId === workflowId) return wf;
      return undefined;
    }, 'visibility to list the return awaiting a decision');
    const listed = await hub.ops('GET', '/v1/returns?status=AWAITING_DECISION&reason=quality');
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.ok(listed.body.items.some((r: { orderId: string }) => r.orderId === orderId));
    const decided = await hub.ops('POST', `/v1/orders/${orderId}/returns/R1/decision`, { lines: [{ lineId: 'L1', refundPercent: 50 }] });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    const refunded = await reaches(orderId, 'R1', 'REFUNDED');
    assert.equal(refunded.refund?.amountMinor, 4950);
    await steps.recordHistory('return-decided', orderId, returnWorkflowId(orderId, 'R1'));
  });

  test('units refunded nothing are sent back to the customer: a label to the buyer, the WMS told to ship them', async () => {
    const { orderId, rma } = await labelled('quality');
    await receive(orderId, 'R1');
    await inspect(orderId, 'R1', [{ lineId: 'L1', quantity: 1, condition: 'not_resellable', note: 'worn and washed' }]);
    await reaches(orderId, 'R1', 'AWAITING_DECISION');
    const decided = await hub.ops('POST', `/v1/orders/${orderId}/returns/R1/decision`, { lines: [{ lineId: 'L1', refundPercent: 0 }] });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    const done = await reaches(orderId, 'R1', 'COMPLETED');
    assert.equal(done.refund, undefined, 'nothing was refunded');
    const label = hub.partners.carrier.waybills().find((w) => w.shipmentId === `${rma}-BACK`);
    assert.ok(label, 'the carrier issued a label for the way back');
    assert.deepEqual(done.sentBack?.lines, [{ lineId: 'L1', sku: 'TEE-001', quantity: 1 }]);
    assert.equal(done.sentBack?.trackingNumber, label.trackingNumber);
    const told = hub.partners.wms.events('return.send_back').filter((e) => (e.data as { rma: string }).rma === rma);
    assert.equal(told.length, 1, 'the WMS is told once to ship the unit back');
    assert.equal((told[0]!.data as { label: { trackingNumber: string } }).label.trackingNumber, label.trackingNumber);
    assert.match(done.timeline.at(-1)!.note, /1 unit\(s\) sent back to the customer under SF /);
    await steps.recordHistory('return-sent-back', orderId, returnWorkflowId(orderId, 'R1'));
  });

  test('an exchange whose unit is sent back is not replaced as well', async () => {
    const order = makeOrder();
    const { orderId } = await delivered(order);
    const asked = await ask(order, { returnId: 'X1', lines: [{ lineId: 'L1', quantity: 1 }], reason: 'quality', outcome: 'exchange' });
    assert.equal(asked.status, 201, JSON.stringify(asked.body));
    await reaches(orderId, 'X1', 'LABEL_ISSUED');
    await receive(orderId, 'X1');
    await inspect(orderId, 'X1', [{ lineId: 'L1', quantity: 1, condition: 'not_resellable', note: 'cut labels' }]);
    await reaches(orderId, 'X1', 'AWAITING_DECISION');
    assert.equal(
      (await hub.ops('POST', `/v1/orders/${orderId}/returns/X1/decision`, { lines: [{ lineId: 'L1', refundPercent: 0 }] })).status,
      200,
    );
    const done = await reaches(orderId, 'X1', 'COMPLETED');
    assert.match(done.timeline.at(-1)!.note, /^nothing to replace; 1 unit\(s\) sent back/);
    assert.equal(done.exchange, undefined);
    assert.equal((await steps.read(orderId)).shipments.length, 1, 'no replacement shipment');
  });

  test('an exchange ships a replacement through routing: a new shipment, picked at the WMS, shipped, the return completed', async () => {
    const order = makeOrder();
    const { orderId } = await delivered(order);
    assert.equal(
      (await ask(order, { returnId: 'X1', lines: [{ lineId: 'L1', quantity: 1 }], reason: 'size_fit', outcome: 'exchange' })).status,
      201,
    );
    await reaches(orderId, 'X1', 'LABEL_ISSUED');
    await receive(orderId, 'X1');
    await inspect(orderId, 'X1', [{ lineId: 'L1', quantity: 1, condition: 'intact' }]);
    const replacement = await eventually(async () => {
      const view = await steps.read(orderId);
      return view.shipments.find((s) => s.step === 'dispatched');
    }, 'the replacement shipment');
    assert.notEqual(replacement.shipmentId, (await steps.read(orderId)).shipments[0]!.shipmentId);
    assert.ok(
      hub.partners.wms.events('pick_list.created').some((e) => (e.data as { shipmentId: string }).shipmentId === replacement.shipmentId),
    );
    for (const step of ['accepted', 'picking', 'packed'])
      assert.equal((await steps.progress(orderId, replacement.shipmentId, step)).status, 200);
    const shipped = await steps.progress(orderId, replacement.shipmentId, 'shipped', { trackingNumber: 'SFX10000001', carrier: 'SF' });
    assert.equal(shipped.status, 200, JSON.stringify(shipped.body));
    const done = await reaches(orderId, 'X1', 'COMPLETED');
    assert.equal(done.exchange?.shipmentId, replacement.shipmentId);
    assert.equal(done.refund, undefined, 'an exchange refunds nothing');
    await steps.recordHistory('return-exchanged', orderId, returnWorkflowId(orderId, 'X1'));
    await steps.recordHistory('order-exchange', orderId);
  });

  test('restocked units are reserved by the next order at once', async () => {
    const line = { lineId: 'L1', sku: 'LAST-1', category: 'tshirt', quantity: 1, unitPrice: 99, listPrice: 99 };
    const first = makeOrder({ lines: [line] });
    const { orderId } = await delivered(first);
    assert.equal((await steps.balance('LAST-1', 'suzhou')).onHand, 0);
    assert.equal((await ask(first, { returnId: 'R1', lines: [{ lineId: 'L1', quantity: 1 }], reason: 'changed_mind' })).status, 201);
    await reaches(orderId, 'R1', 'LABEL_ISSUED');
    await receive(orderId, 'R1');
    await inspect(orderId, 'R1', [{ lineId: 'L1', quantity: 1, condition: 'intact' }]);
    await reaches(orderId, 'R1', 'INSPECTED').catch(() => reaches(orderId, 'R1', 'REFUNDED'));
    const next = await steps.submit(paid(makeOrder({ lines: [line] })));
    const reserved = await steps.waitFor(next, 'FULFILLING');
    assert.equal(reserved.reservations[0]?.sku, 'LAST-1');
    const entries = await hub.stores.ledger.entries('LAST-1', { warehouseId: 'suzhou', oldestFirst: true });
    assert.ok(
      entries.some((e) => e.kind === 'receipt' && e.orderId === orderId),
      'the restock is a ledger receipt of the return',
    );
  });

  test("a refund not settled within the brand's time alerts finance, once, and settles later", async () => {
    const order = makeOrder({ brand: 'slowco' });
    const { orderId } = await delivered(order);
    const key = `refund:${orderId}:R1`;
    hub.partners.refundStates.set(key, 'pending');
    assert.equal((await ask(order, { returnId: 'R1', lines: [{ lineId: 'L1', quantity: 1 }], reason: 'size_fit' })).status, 201);
    await reaches(orderId, 'R1', 'LABEL_ISSUED');
    await receive(orderId, 'R1');
    await inspect(orderId, 'R1', [{ lineId: 'L1', quantity: 1, condition: 'intact' }]);
    const alert = await steps.operationsAlert(orderId, 'refundUnsettled', 20_000);
    assert.ok(alert);
    hub.partners.refundStates.set(key, 'settled');
    const refunded = await reaches(orderId, 'R1', 'REFUNDED');
    assert.ok(refunded.refund?.alertedAt);
    assert.equal(
      hub.partners.operations.events('operations.alert').filter((e) => (e.data as { orderId: string }).orderId === orderId).length,
      1,
    );
  });

  test('an own-site order is refunded through Alipay with its out_request_no, once', async () => {
    const order = makeOrder({ channel: 'miniprogram' });
    hub.partners.alipay.addTrade({ outTradeNo: order.channelOrderId, totalMinor: 9900 });
    const { orderId } = await delivered(order);
    assert.equal((await ask(order, { returnId: 'R1', lines: [{ lineId: 'L1', quantity: 1 }], reason: 'size_fit' })).status, 201);
    await reaches(orderId, 'R1', 'LABEL_ISSUED');
    await receive(orderId, 'R1');
    await inspect(orderId, 'R1', [{ lineId: 'L1', quantity: 1, condition: 'intact' }]);
    const refunds = await eventually(async () => {
      const made = hub.partners.alipay.refunds(order.channelOrderId);
      return made.length > 0 ? made : undefined;
    }, 'the Alipay refund');
    assert.equal(refunds.length, 1);
    hub.partners.alipay.settle(refunds[0]!.outRequestNo);
    const refunded = await reaches(orderId, 'R1', 'REFUNDED');
    assert.equal(hub.partners.alipay.effects(refunds[0]!.outRequestNo), 1);
    assert.equal(refunded.refund?.amountMinor, 9900);
  });
});
