/**
 * A bounded history under a flood of reports, on the real dev server: a warehouse sends well over a thousand progress
 * reports for one parcel; the order continues as new each time its history reaches the bound, keeps every report
 * exactly once (a report retried after the order moved to a new run is not applied again), keeps its search
 * attributes and escalation watch, and then ships and delivers as usual.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { orderWorkflowId } from '../../src/domain/ids';
import { HISTORY_EVENTS_BOUND } from '../../src/workflows/order/continuation';
import { makeOrder, paid } from '../fixtures/orders';
import { seedHub } from '../fixtures/network';
import { startHarness, type Harness } from './harness';
import { lifecycle } from './lifecycleSupport';

/** Enough reports to fill the bound twice over (each costs a few events). */
const REPORTS = 2_000;
/** Reports in flight at once, as a busy WMS would send them. */
const PARALLEL = 8;

describe('history bound under thousands of reports', () => {
  let hub: Harness;
  let steps: ReturnType<typeof lifecycle>;
  before(async () => {
    hub = await startHarness('continuation');
    steps = lifecycle(hub);
    await seedHub(hub, { stock: { 'TEE-001@suzhou': 100 }, policy: { returnWindowSeconds: 2 } });
  });
  after(async () => {
    await hub?.stop();
  });

  test('the order continues as new at its bound, applies each report once, and completes', async () => {
    const orderId = await steps.submit(paid(makeOrder({ brand: 'floodco' })));
    const { shipments } = await steps.waitFor(orderId, 'FULFILLING');
    const shipmentId = shipments[0]!.shipmentId;
    for (const step of ['accepted', 'picking']) assert.equal((await steps.progress(orderId, shipmentId, step)).status, 200);
    const report = (i: number) =>
      hub.ops(
        'POST',
        `/v1/orders/${orderId}/shipments/${shipmentId}/progress`,
        { step: 'progress', at: new Date().toISOString(), note: `scan ${i}` },
        { 'idempotency-key': `flood-${i}` },
      );
    for (let next = 0; next < REPORTS; next += PARALLEL) {
      const answers = await Promise.all(Array.from({ length: Math.min(PARALLEL, REPORTS - next) }, (_, k) => report(next + k)));
      for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body));
    }
    // Retries of reports the first run applied reach a later run, where Temporal's update-id dedupe no longer helps.
    for (const i of [0, 1, 2]) {
      const again = await report(i);
      assert.equal(again.status, 200, JSON.stringify(again.body));
    }

    const workflowId = orderWorkflowId(orderId);
    const runs = [];
    for await (const run of hub.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(run);

    assert.ok(runs.length >= 3, `${REPORTS} reports continue the order at least twice (runs: ${runs.length})`);
    for (const run of runs) {
      const history = await hub.client.workflow.getHandle(workflowId, run.runId).fetchHistory();
      const events = history.events?.length ?? 0;
      // A run continues at its first quiet moment after the bound: a handful of reports may land in between.
      assert.ok(events < HISTORY_EVENTS_BOUND + 200, `run ${run.runId} has ${events} events`);
    }
    const running = runs.filter((r) => r.status.name === 'RUNNING');
    assert.equal(running.length, 1, 'one running run at a time');
    assert.equal(running[0]!.typedSearchAttributes.getAll().find((p) => p.key.name === 'OrderStatus')?.value, 'FULFILLING');

    assert.equal((await steps.progress(orderId, shipmentId, 'packed')).status, 200);
    const shipped = await steps.progress(orderId, shipmentId, 'shipped', { trackingNumber: 'SF20000001', carrier: 'SF' });
    assert.equal(shipped.status, 200, JSON.stringify(shipped.body));
    assert.equal((await steps.progress(orderId, shipmentId, 'delivered')).status, 200);
    await steps.waitFor(orderId, 'COMPLETED', 30_000);
    const actions = await steps.auditActions(orderId);
    assert.equal(actions.filter((a) => a === 'SHIPMENT_PROGRESS').length, REPORTS, 'each report applied exactly once');
    assert.equal(actions.filter((a) => a === 'ORDER_CONTINUED').length, runs.length - 1);
    assert.equal(actions.at(-1), 'ORDER_COMPLETED');
  });
});
