/**
 * The invariant checker (issue 13) against the real stack: orders run through (completed, cancelled and refunded,
 * fulfilling, held and escalated), the checker finds them clean as a function and as `npm run check`; then this test
 * file's own database is corrupted — a lost reservation, a changed stock head, a lost order record, a second
 * escalation notice, a message and a refund the partners acted on twice — and each is reported.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { orderWorkflowId } from '../../src/domain/ids';
import { escalationNoticeKey } from '../../src/domain/ids';
import type { OrderWorkflowRun } from '../../src/domain/invariants';
import type { OrderView } from '../../src/domain/orderView';
import { listOrderWorkflowRuns, liveViewsFrom, runChecks, type CheckReport } from '../../scripts/lib/check/run';
import { makeOrder, paid } from '../fixtures/orders';
import { seedHub } from '../fixtures/network';
import { eventually, startHarness, type Harness } from './harness';
import { lifecycle } from './lifecycleSupport';

const root = path.join(__dirname, '..', '..');

/** What `npm run check` printed and how it exited. */
interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('invariant checker', () => {
  let hub: Harness;
  let steps: ReturnType<typeof lifecycle>;
  const orders = { completed: '', cancelled: '', fulfilling: '', escalated: '' };
  let fulfillingView: OrderView;
  let escalatedView: OrderView;
  let runs: OrderWorkflowRun[];

  /** Each key the partners accepted, once: their own record of what took effect (WeCom carries no key: its messages per order). */
  const partnerEffects = (): Map<string, number> => {
    const { wms, carrier, storefront, payments, suppliers, operations, wecom } = hub.partners;
    const effects = new Map<string, number>();
    for (const receiver of [wms, carrier, storefront, payments, suppliers, operations])
      for (const event of receiver.events()) effects.set(event.id, (effects.get(event.id) ?? 0) + 1);
    const notice = escalatedView.escalations![0]!;
    const told = wecom.supervisor.messages().filter((m) => `${m.title ?? ''}${m.content}`.includes(orders.escalated)).length;
    effects.set(escalationNoticeKey(orders.escalated, notice.id, 0), told);
    return effects;
  };
  const check = (effects?: Map<string, number>): Promise<CheckReport> =>
    runChecks(hub.stores, runs, { liveView: liveViewsFrom(hub.client), ...(effects ? { effects } : {}) });
  const violationsOf = (report: CheckReport, invariant: string) =>
    report.findings.filter((f) => f.invariant === invariant && f.severity === 'violation');

  /** Runs `npm run check` as a user would, against this test's database and task queue. */
  const cli = (args: string[]): Promise<CliRun> =>
    new Promise((resolve, reject) => {
      const { config } = hub;
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'check.ts'), ...args], {
        cwd: root,
        env: {
          ...process.env,
          MONGODB_URI: config.MONGODB_URI,
          TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
          TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
          TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  const effectsFile = (effects: Map<string, number>): string => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'orderhub-check-')), 'effects.json');
    writeFileSync(file, JSON.stringify(Object.fromEntries(effects)));
    return file;
  };

  before(async () => {
    hub = await startHarness('check');
    steps = lifecycle(hub);
    await seedHub(hub, { stock: { 'TEE-001@suzhou': 100 }, policy: { returnWindowSeconds: 2 } });
    const policy = await hub.ops('PUT', '/v1/settings/escalation-policy', {
      body: { base: {}, overrides: [{ id: 'held-fast', brand: 'heldco', settings: { es1: { after: '2s' } } }] },
    });
    assert.equal(policy.status, 200, JSON.stringify(policy.body));

    orders.completed = await steps.submit(paid(makeOrder()));
    orders.cancelled = await steps.submit(paid(makeOrder()));
    orders.fulfilling = await steps.submit(paid(makeOrder()));
    // No stock of this SKU anywhere: held OUT_OF_STOCK, and ES-1 tells the supervisor after 2 s.
    const nowhere = [{ lineId: 'L1', sku: 'NOWHERE-1', category: 'tshirt', quantity: 1, unitPrice: 9, listPrice: 9 }];
    orders.escalated = await steps.submit(
      paid(makeOrder({ brand: 'heldco', lines: nowhere, amounts: { goods: 9, shipping: 0, discount: 0, paid: 9 } })),
    );

    const shipmentId = (await steps.waitFor(orders.completed, 'FULFILLING')).shipments[0]!.shipmentId;
    await steps.shipAll(orders.completed);
    await steps.waitFor(orders.completed, 'SHIPPED');
    assert.equal((await steps.progress(orders.completed, shipmentId, 'delivered')).status, 200);
    await steps.waitFor(orders.completed, 'COMPLETED');

    await steps.waitFor(orders.cancelled, 'FULFILLING');
    assert.equal((await hub.ops('POST', `/v1/orders/${orders.cancelled}/cancel`, { reason: 'customer called' })).status, 200);
    await steps.waitFor(orders.cancelled, 'CANCELLED');

    fulfillingView = await steps.waitFor(orders.fulfilling, 'FULFILLING');
    // From the workflow: a fired level reaches the read model only at the order's next milestone.
    escalatedView = await eventually(
      async () => {
        const view = await steps.read(orders.escalated);
        return view.escalations?.length ? view : undefined;
      },
      'ES-1 in the escalated order',
      30_000,
    );

    // Messages beside the lifecycle (the escalation notice, alerts) settle; then visibility shows who still runs.
    await eventually(async () => {
      for await (const row of hub.stores.deliveries.all()) if (row.state !== 'delivered') return undefined;
      return true;
    }, 'every delivery acknowledged');
    runs = await eventually(async () => {
      const listed = await listOrderWorkflowRuns(hub.client, hub.config.TEMPORAL_TASK_QUEUE);
      const running = (orderId: string) => listed.some((r) => r.workflowId === orderWorkflowId(orderId) && r.running);
      const closed = (orderId: string) => listed.some((r) => r.workflowId === orderWorkflowId(orderId) && !r.running);
      return closed(orders.completed) && closed(orders.cancelled) && running(orders.fulfilling) && running(orders.escalated)
        ? listed
        : undefined;
    }, 'visibility to show the closed and running orders');
  });
  after(async () => {
    await hub?.stop();
  });

  test('orders run through cleanly keep every invariant, by the log alone and by the partners’ counts', async () => {
    for (const report of [await check(), await check(partnerEffects())]) {
      assert.deepEqual(report.findings, []);
      assert.equal(report.ok, true);
      const checked = Object.fromEntries(report.summary.map((s) => [s.invariant, s.checked]));
      assert.equal(checked.orders, 4);
      assert.equal(checked['one-workflow'], 4);
      assert.equal(checked.escalations, escalatedView.escalations![0]!.notified.length);
      assert.equal(checked.refunds, 1, 'the cancelled order was refunded');
      assert.ok(checked.ledger! >= 1 && checked.deliveries! >= 8, JSON.stringify(checked));
    }
  });

  test('`npm run check` prints the table and exits 0 on a clean hub', async () => {
    const run = await cli(['--effects', effectsFile(partnerEffects())]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /invariant\s+checked\s+violations\s+warnings\s+rule/);
    assert.match(run.stdout, /^ledger\s+\d+\s+0\s+0\s+per SKU and warehouse/m);
    assert.match(run.stdout, /OK: every invariant holds\./);
  });

  test('a lost reservation is reported, and `npm run check` exits 1', async () => {
    const { StockEntry } = hub.db.models;
    const [held] = fulfillingView.reservations;
    const entry = await StockEntry.findOne({ reservationKey: held!.key, kind: 'reserve' }).lean();
    assert.ok(entry);
    await StockEntry.deleteOne({ _id: entry._id });
    try {
      const found = violationsOf(await check(), 'ledger').map((v) => `${v.subject}: ${v.detail}`);
      assert.ok(
        found.some(
          (f) => f === `TEE-001@suzhou: order ${orders.fulfilling} holds 1 under ${held!.key}; the ledger holds nothing live under it`,
        ),
        found.join('\n'),
      );
      const run = await cli(['--json']);
      assert.equal(run.code, 1, run.stderr);
      const printed = JSON.parse(run.stdout) as CheckReport;
      assert.equal(printed.ok, false);
      assert.ok(printed.summary.find((s) => s.invariant === 'ledger')!.violations >= 1);
      const table = await cli([]);
      assert.equal(table.code, 1);
      assert.match(table.stdout, /VIOLATION {2}ledger {2}TEE-001@suzhou: /);
      assert.match(table.stdout, /FAILED: \d+ violation\(s\) of ledger\./);
    } finally {
      await StockEntry.create(entry);
    }
    assert.equal((await check()).ok, true, 'clean again once restored');
  });

  test('a stock head whose reserved units were changed is reported', async () => {
    const { StockItem } = hub.db.models;
    const item = await StockItem.findOne({ sku: 'TEE-001', warehouseId: 'suzhou' }).lean();
    await StockItem.updateOne({ _id: item!._id }, { $inc: { reserved: 1 } });
    try {
      const found = violationsOf(await check(), 'ledger').map((v) => v.detail);
      assert.deepEqual(found, [
        `the head says onHand ${item!.onHand}, reserved ${item!.reserved! + 1}; entry #${item!.seq} says ${item!.onHand}, ${item!.reserved}`,
      ]);
    } finally {
      await StockItem.updateOne({ _id: item!._id }, { $set: { reserved: item!.reserved } });
    }
  });

  test('an order record lost from the read model is reported against its workflow', async () => {
    const { Order } = hub.db.models;
    const record = await Order.findById(orders.cancelled).lean();
    assert.ok(record);
    await Order.deleteOne({ _id: orders.cancelled });
    try {
      const report = await check();
      assert.deepEqual(
        violationsOf(report, 'one-workflow').map((v) => `${v.subject}: ${v.detail}`),
        [`${orderWorkflowId(orders.cancelled)}: took an order (closed) but the read model has no record of it`],
      );
      assert.match(violationsOf(report, 'refunds')[0]!.detail, /which the hub has no record of/, 'its refund has no order either');
    } finally {
      await Order.create(record);
    }
  });

  test('a second notice for one escalation is reported as a duplicate delivery', async () => {
    const { Delivery } = hub.db.models;
    const fired = escalatedView.escalations![0]!;
    const notice = await Delivery.findById(escalationNoticeKey(orders.escalated, fired.id, 0)).lean();
    assert.equal(notice?.state, 'delivered');
    const second = escalationNoticeKey(orders.escalated, fired.id, fired.notified.length);
    await Delivery.create({ ...notice, _id: second });
    try {
      const found = violationsOf(await check(), 'escalations');
      assert.deepEqual(
        found.map((v) => v.subject),
        [second],
      );
    } finally {
      await Delivery.deleteOne({ _id: second });
    }
  });

  test('a message and a refund a partner acted on twice are reported', async () => {
    const effects = partnerEffects();
    const pickList = (await hub.stores.deliveries.ofOrder(orders.fulfilling)).find((d) => d.kind === 'pickList')!;
    const refund = (await hub.stores.deliveries.ofOrder(orders.cancelled)).find((d) => d.kind === 'refund')!;
    effects.set(pickList.key, 2);
    effects.set(refund.key, 2);
    const report = await check(effects);
    assert.deepEqual(
      violationsOf(report, 'deliveries').map((v) => `${v.subject}: ${v.detail}`),
      [`${pickList.key}: wms:suzhou acted on it 2 times`],
    );
    assert.deepEqual(
      violationsOf(report, 'refunds').map((v) => `${v.subject}: ${v.detail}`),
      [`${refund.key}: payment:tmall paid it 2 times`],
    );
    const run = await cli(['--effects', effectsFile(effects), '--limit', '1']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /First 1 of 2 finding\(s\):/);
  });

  test('`npm run check` with an unreadable effects file is a usage error (exit 2)', async () => {
    const run = await cli(['--effects', path.join(os.tmpdir(), 'no-such-effects.json')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--effects: cannot read/);
  });
});
