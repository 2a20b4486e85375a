/** Inventory over real HTTP: idempotent receipts and adjustments, fresh availability, safety thresholds steering routing (RT-1). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RoutingDecision } from '../../src/domain/routing/decision';
import { makeOrder, paid, toCanonical } from '../fixtures/orders';
import { seedHub } from '../fixtures/network';
import { startHarness, type Harness } from './harness';
import { lifecycle } from './lifecycleSupport';

/** A paid East China (Jiangsu) order for one unit of a SKU. */
const eastChinaOrder = (sku: string) =>
  paid(
    makeOrder({
      lines: [{ lineId: 'L1', sku, category: 'bodysuit', quantity: 1, unitPrice: 79, listPrice: 79 }],
      amounts: { goods: 79, shipping: 0, discount: 0, paid: 79 },
    }),
  );

describe('inventory', () => {
  let hub: Harness;
  let steps: ReturnType<typeof lifecycle>;
  before(async () => {
    hub = await startHarness('inventory');
    steps = lifecycle(hub);
    await seedHub(hub, { stock: { 'TEE-001@suzhou': 100, 'TEE-001@hefei': 100 } });
  });
  after(async () => {
    await hub?.stop();
  });

  test('a receipt is booked once: repeating its receiptId answers 200 alreadyApplied and books nothing more', async () => {
    const receipt = { receiptId: 'RCV-100', sku: 'SOCK-1', warehouseId: 'suzhou', quantity: 40, note: 'PO 77' };
    const first = await hub.ops('POST', '/v1/inventory/receipts', receipt);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.deepEqual(first.body, {
      sku: 'SOCK-1',
      warehouseId: 'suzhou',
      alreadyApplied: false,
      balance: { onHand: 40, reserved: 0, available: 40 },
    });

    const again = await hub.ops('POST', '/v1/inventory/receipts', receipt);
    assert.equal(again.status, 200);
    assert.equal(again.body.alreadyApplied, true);
    assert.equal(again.body.balance.onHand, 40);
    assert.equal((await steps.balance('SOCK-1', 'suzhou')).onHand, 40);

    const reused = await hub.ops('POST', '/v1/inventory/receipts', { ...receipt, quantity: 5 });
    assert.equal(reused.status, 409);
    assert.equal(reused.body.error.code, 'ID_REUSED');
    assert.equal((await steps.balance('SOCK-1', 'suzhou')).onHand, 40);
  });

  test('an adjustment is applied once per adjustmentId, and one that would make stock negative is refused with 409', async () => {
    assert.equal(
      (await hub.ops('POST', '/v1/inventory/receipts', { receiptId: 'RCV-200', sku: 'SOCK-2', warehouseId: 'hefei', quantity: 10 })).status,
      201,
    );
    const shrink = { adjustmentId: 'ADJ-200', sku: 'SOCK-2', warehouseId: 'hefei', delta: -3, reason: 'cycle count' };
    const first = await hub.ops('POST', '/v1/inventory/adjustments', shrink);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.balance.onHand, 7);
    const again = await hub.ops('POST', '/v1/inventory/adjustments', shrink);
    assert.equal(again.status, 200);
    assert.equal(again.body.alreadyApplied, true);
    assert.equal(again.body.balance.onHand, 7);

    const negative = await hub.ops('POST', '/v1/inventory/adjustments', { ...shrink, adjustmentId: 'ADJ-201', delta: -8 });
    assert.equal(negative.status, 409);
    assert.equal(negative.body.error.code, 'NEGATIVE_STOCK');
    assert.equal((await steps.balance('SOCK-2', 'hefei')).onHand, 7);

    const zero = await hub.ops('POST', '/v1/inventory/adjustments', { ...shrink, adjustmentId: 'ADJ-202', delta: 0 });
    assert.equal(zero.status, 400);
    assert.deepEqual(
      zero.body.error.details.map((d: { path: string }) => d.path),
      ['delta'],
    );
  });

  test('stock changes and thresholds for a warehouse outside the network are refused with 404', async () => {
    const receipt = await hub.ops('POST', '/v1/inventory/receipts', {
      receiptId: 'RCV-300',
      sku: 'SOCK-3',
      warehouseId: 'atlantis',
      quantity: 1,
    });
    assert.equal(receipt.status, 404);
    assert.equal(receipt.body.error.code, 'UNKNOWN_WAREHOUSE');
    const threshold = await hub.ops('PUT', '/v1/inventory/SOCK-3/warehouses/atlantis/safety-threshold', { units: 5 });
    assert.equal(threshold.status, 404);
    assert.equal(await hub.db.models.StockEntry.countDocuments({ sku: 'SOCK-3' }), 0);
  });

  test('the ledger shows who changed stock, when, by how much and why, newest first', async () => {
    await hub.ops('POST', '/v1/inventory/receipts', {
      receiptId: 'RCV-400',
      sku: 'SOCK-4',
      warehouseId: 'suzhou',
      quantity: 5,
      note: 'first delivery',
    });
    await hub.ops('POST', '/v1/inventory/adjustments', {
      adjustmentId: 'ADJ-400',
      sku: 'SOCK-4',
      warehouseId: 'suzhou',
      delta: -1,
      reason: 'damaged in aisle 4',
    });
    await hub.ops('POST', '/v1/inventory/receipts', { receiptId: 'RCV-401', sku: 'SOCK-4', warehouseId: 'hefei', quantity: 2 });

    const ledger = await hub.ops('GET', '/v1/inventory/SOCK-4/ledger?warehouseId=suzhou');
    assert.equal(ledger.status, 200);
    const entries = ledger.body.entries as Array<{
      kind: string;
      quantity: number;
      onHand: number;
      actor: string;
      note: string;
      at: string;
      warehouseId: string;
    }>;
    assert.deepEqual(
      entries.map((e) => [e.kind, e.quantity, e.onHand, e.actor, e.note]),
      [
        ['adjust', -1, 4, 'ops-tester', 'damaged in aisle 4'],
        ['receipt', 5, 5, 'ops-tester', 'first delivery'],
      ],
    );
    assert.ok(Date.parse(entries[0]!.at) >= Date.parse(entries[1]!.at));
    const all = await hub.ops('GET', '/v1/inventory/SOCK-4/ledger?limit=2');
    assert.deepEqual(
      all.body.entries.map((e: { warehouseId: string; kind: string }) => `${e.kind}@${e.warehouseId}`),
      ['receipt@hefei', 'adjust@suzhou'],
    );
  });

  test('availability lists every warehouse of the network and counts the reservation of a live order', async () => {
    const orderId = await steps.submit(paid(makeOrder()));
    const view = await steps.waitFor(orderId, 'FULFILLING');
    assert.deepEqual(
      view.reservations.map((r) => `${r.sku}@${r.warehouseId}:${r.quantity}`),
      ['TEE-001@suzhou:1'],
    );

    const answer = await hub.ops('GET', '/v1/inventory/TEE-001');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.warehouses, [
      { warehouseId: 'suzhou', onHand: 100, reserved: 1, available: 99, safetyThreshold: 0, belowSafety: false },
      { warehouseId: 'hefei', onHand: 100, reserved: 0, available: 100, safetyThreshold: 0, belowSafety: false },
      { warehouseId: 'guangzhou', onHand: 0, reserved: 0, available: 0, safetyThreshold: 0, belowSafety: false },
    ]);
  });

  test('East China ships from Suzhou; with Suzhou under its safety threshold it ships from Hefei, explained, with the later promise (RT-1)', async () => {
    for (const warehouseId of ['suzhou', 'hefei']) {
      assert.equal(
        (
          await hub.ops('POST', '/v1/inventory/receipts', {
            receiptId: `RCV-BODY-${warehouseId}`,
            sku: 'BODY-5',
            warehouseId,
            quantity: 10,
          })
        ).status,
        201,
      );
    }
    const normal = (await hub.ops('POST', '/v1/routing/what-if', { order: toCanonical(eastChinaOrder('BODY-5')) })).body as RoutingDecision;
    assert.deepEqual(
      normal.shipments.map((s) => s.kind === 'warehouse' && s.locationId),
      ['suzhou'],
    );
    assert.equal(normal.promisedDeliveryDays, 1);
    assert.deepEqual(normal.explanation.fallbacks, []);

    const threshold = await hub.ops('PUT', '/v1/inventory/BODY-5/warehouses/suzhou/safety-threshold', { units: 15 });
    assert.equal(threshold.status, 200);
    const suzhou = (await hub.ops('GET', '/v1/inventory/BODY-5')).body.warehouses.find(
      (w: { warehouseId: string }) => w.warehouseId === 'suzhou',
    );
    assert.deepEqual([suzhou.safetyThreshold, suzhou.belowSafety], [15, true]);

    const view = await steps.waitFor(await steps.submit(eastChinaOrder('BODY-5')), 'FULFILLING');
    assert.deepEqual(
      view.shipments.map((s) => [s.locationId, s.promisedDeliveryDays]),
      [['hefei', 2]],
    );
    const decision = view.routing!.decision as RoutingDecision;
    assert.deepEqual(decision.explanation.fallbacks, [{ from: 'suzhou', to: 'hefei', reason: 'BELOW_SAFETY_THRESHOLD', sku: 'BODY-5' }]);
    assert.equal(decision.promisedDeliveryDays, 2);
    assert.match(decision.explanation.summary, /Suzhou DC below safety threshold for SKU BODY-5 → Hefei DC/);
    assert.equal((await steps.balance('BODY-5', 'hefei')).reserved, 1);
  });
});
