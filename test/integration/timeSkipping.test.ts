/**
 * The order workflow's long timers on the time-skipping test server: a 7-day return window and a 48-hour payment
 * timeout run out in workflow time while the test awaits the result. Stub activities; no database.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WithStartWorkflowOperation } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { type CanonicalOrder } from '../../src/domain/order';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { deliveryTaskQueue, orderIdOf, orderWorkflowId } from '../../src/domain/ids';
import { defaultEscalationPolicy, escalationSettingsSchema } from '../../src/domain/escalation';
import type { AuditEntry } from '../../src/domain/orderView';
import type { OrderView } from '../../src/domain/orderView';
import { defaultOrderPolicy, type OrderPolicy } from '../../src/domain/policy';
import { OrderStatusKey, WarehouseIdKey } from '../../src/domain/searchAttributes';
import type { OrderStatus } from '../../src/domain/status';
import type { orderWorkflow, warehouseOutageWorkflow } from '../../src/workflows';
import type { OrderDesign } from '../../src/workflows/order/workflow';
import { getOrder, receiveOrderEvent, reportShipmentProgress } from '../../src/workflows/order/messages';
import { makeOrder, paid, toCanonical } from '../fixtures/orders';
import { stubActivities, type Calls } from '../fixtures/stubActivities';
import { eventually } from './harness';
import { createTimeSkippingEnv } from './timeSkipping';

const HOUR = 3600;
const DAY = 24 * HOUR;

/** When, in workflow time, the order first reached a status. */
function reached(view: OrderView, status: OrderStatus): number {
  const entry = view.timeline.find((t) => t.status === status);
  assert.ok(entry, `the timeline has ${status}`);
  return Date.parse(entry.at);
}

/** The bundle run-tests.ts built once; bundling here only when the file runs on its own. */
function workflowCode() {
  return process.env.WORKFLOW_BUNDLE_PATH
    ? { workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH } }
    : { workflowsPath: require.resolve('../../src/workflows') };
}

describe('order workflow in time-skipping time', () => {
  let env: TestWorkflowEnvironment;
  const workers: Array<{ worker: Worker; running: Promise<void> }> = [];

  before(async () => {
    // Core logs at ERROR only: it warns once per worker that the test server lacks a newer server capability.
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
    env = await createTimeSkippingEnv();
  });
  after(async () => {
    for (const { worker } of workers) worker.shutdown();
    await Promise.all(workers.map((w) => w.running));
    await env?.teardown();
  });

  /** Starts a worker on a fresh task queue and submits the order as its channel would; returns the workflow handle. */
  async function submit(order: CanonicalOrder, activities: Activities) {
    const taskQueue = `ts-${order.channelOrderId}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, activities, ...workflowCode() });
    workers.push({ worker, running: worker.run() });
    const orderId = orderIdOf(order.channel, order.channelOrderId);
    const workflowId = orderWorkflowId(orderId);
    await env.client.workflow.executeUpdateWithStart(receiveOrderEvent, {
      args: [{ type: 'snapshot', eventId: 'e1', order }],
      startWorkflowOperation: new WithStartWorkflowOperation<typeof orderWorkflow>('orderWorkflow', {
        workflowId,
        taskQueue,
        args: [{ orderId }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
    return env.client.workflow.getHandle<typeof orderWorkflow>(workflowId);
  }

  /**
   * Starts an order as intake does now (its first event as input, in a given design), with workers on its task queue
   * and on the delivery task queue beside it.
   */
  async function startWithFirstEvent(order: CanonicalOrder, activities: Activities, design: OrderDesign) {
    const taskQueue = `ts-${order.channelOrderId}`;
    for (const queue of [taskQueue, deliveryTaskQueue(taskQueue)]) {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: queue,
        activities,
        ...(queue === taskQueue ? workflowCode() : {}),
      });
      workers.push({ worker, running: worker.run() });
    }
    const orderId = orderIdOf(order.channel, order.channelOrderId);
    return env.client.workflow.start<typeof orderWorkflow>('orderWorkflow', {
      workflowId: orderWorkflowId(orderId),
      taskQueue,
      args: [{ orderId, firstEvent: { type: 'snapshot', eventId: 'e1', order }, design }],
    });
  }

  test('a delivered order completes once its 7-day return window has passed', async () => {
    const policy: OrderPolicy = { ...defaultOrderPolicy, returnWindowSeconds: 7 * DAY };
    const handle = await submit(toCanonical(paid(makeOrder())), stubActivities(policy));
    const fulfilling = await eventually(async () => {
      const view = await handle.query(getOrder);
      return view.status === 'FULFILLING' ? view : undefined;
    }, 'fulfilment');
    const shipmentId = fulfilling.shipments[0]!.shipmentId;
    const report = (step: 'accepted' | 'picking' | 'packed' | 'shipped' | 'delivered', extra = {}) =>
      handle.executeUpdate(reportShipmentProgress, { args: [{ shipmentId, step, at: new Date().toISOString(), ...extra }] });
    for (const step of ['accepted', 'picking', 'packed'] as const) await report(step);
    await report('shipped', { trackingNumber: 'SF1234567890', carrier: 'SF' });
    await report('delivered');
    await eventually(async () => ((await handle.query(getOrder)).status === 'DELIVERED' ? true : undefined), 'delivery');

    // Awaiting the result lets the server skip ahead to the return-window timer.
    const done = await handle.result();
    assert.ok(done, 'the workflow returns the final order');
    assert.equal(done.status, 'COMPLETED');
    assert.ok(
      reached(done, 'COMPLETED') - reached(done, 'DELIVERED') >= 7 * DAY * 1000,
      'the return window ran its full length in workflow time',
    );

    // The custom search attributes are registered by createTimeSkippingEnv, so the upserts reached the server.
    const description = await handle.describe();
    assert.equal(description.status.name, 'COMPLETED');
    assert.equal(description.typedSearchAttributes.get(OrderStatusKey), 'COMPLETED');
    assert.deepEqual(description.typedSearchAttributes.get(WarehouseIdKey), ['suzhou']);
  });

  test('an unpaid order is cancelled when its 48-hour payment timeout elapses', async () => {
    const policy: OrderPolicy = { ...defaultOrderPolicy, paymentTimeoutSeconds: 48 * HOUR };
    const handle = await submit(toCanonical(makeOrder()), stubActivities(policy));

    const done = await handle.result();
    assert.ok(done, 'the workflow returns the final order');
    assert.equal(done.status, 'CANCELLED');
    assert.equal(done.cancellation?.by, 'system');
    assert.match(done.cancellation?.reason ?? '', /unpaid/);
    assert.ok(
      reached(done, 'CANCELLED') - reached(done, 'AWAITING_PAYMENT') >= 48 * HOUR * 1000,
      'the payment timeout ran its full length in workflow time',
    );
    assert.equal((await handle.describe()).typedSearchAttributes.get(OrderStatusKey), 'CANCELLED');
  });

  test('a write-back unconfirmed 15 minutes after the parcel shipped alerts operations, and the alert clears when it lands', async () => {
    const calls: Calls = [];
    const audit: AuditEntry[] = [];
    const activities = stubActivities({ ...defaultOrderPolicy, returnWindowSeconds: DAY }, calls, {
      // The channel answers 503 to the first 11 attempts: with backoff from 1 s to 5 min that is about 18.5 minutes.
      writeBackShipment: async () => {
        if (Context.current().info.attempt <= 11) throw ApplicationFailure.retryable('channel answered 503', 'PartnerRetry');
        return { delivered: true as const, key: 'write-back' };
      },
      recordOrderChanges: async ({ entries }) => void audit.push(...entries),
    });
    const order = toCanonical(paid(makeOrder()));
    const handle = await startWithFirstEvent(order, activities, 3);
    const fulfilling = await eventually(async () => {
      const view = await handle.query(getOrder);
      return view.status === 'FULFILLING' ? view : undefined;
    }, 'fulfilment');
    const shipmentId = fulfilling.shipments[0]!.shipmentId;
    const report = (step: 'accepted' | 'picking' | 'packed' | 'shipped' | 'delivered', extra = {}) =>
      // The server's clock, which earlier tests moved days ahead: a parcel ships "now" in workflow time.
      env
        .currentTimeMs()
        .then((now) =>
          handle.executeUpdate(reportShipmentProgress, { args: [{ shipmentId, step, at: new Date(now).toISOString(), ...extra }] }),
        );
    for (const step of ['accepted', 'picking', 'packed'] as const) await report(step);
    await report('shipped', { trackingNumber: 'SF1234567890', carrier: 'SF' });
    await report('delivered');

    const done = await handle.result();
    assert.equal(done?.status, 'COMPLETED');
    const at = (action: string) => {
      const entry = audit.find((e) => e.action === action);
      assert.ok(entry, `the audit trail has ${action}`);
      return Date.parse(entry.at);
    };
    const shipped = Date.parse(done.shipments[0]!.shippedAt!);
    assert.ok(at('WRITE_BACK_LATE') - shipped >= 15 * 60 * 1000, 'the alert waited the full 15 minutes of the default policy');
    assert.ok(at('WRITE_BACK_LATE') - shipped < 16 * 60 * 1000, 'and not much longer');
    assert.ok(at('WRITE_BACK_ALERT_CLEARED') >= at('SHIPMENT_WRITTEN_BACK'), 'cleared once the channel confirmed');
    assert.deepEqual(done.attention, []);
    const alert = calls.find((c) => c.name === 'notifyOperations')?.input as { kind: string } | undefined;
    assert.equal(alert?.kind, 'WRITE_BACK_LATE', 'operations were told');
  });

  test('an order stuck for a week escalates once per level and its history stops growing: no polling, no repeats', async () => {
    const calls: Calls = [];
    const activities = stubActivities({ ...defaultOrderPolicy, returnWindowSeconds: DAY }, calls);
    const order = toCanonical(paid(makeOrder()));
    const handle = await startWithFirstEvent(order, activities, 4);
    await eventually(async () => ((await handle.query(getOrder)).status === 'FULFILLING' ? true : undefined), 'fulfilment');
    // Dispatched, and then nothing from the warehouse for a week.
    await env.sleep('7 days');
    const week = await handle.query(getOrder);
    assert.deepEqual(
      (week.escalations ?? []).map((e) => e.level),
      ['ES-5', 'ES-5b', 'ES-2'],
      'each level of a dispatched, silent order fired once, in the order they fell due (30 min, 60 min, 4 h)',
    );
    assert.deepEqual(
      week.attention?.map((a) => a.code),
      ['STUCK_MANUAL_REVIEW'],
    );
    const eventsAfterAWeek = (await handle.fetchHistory()).events?.length ?? 0;
    await env.sleep('14 days');
    const eventsAfterThreeWeeks = (await handle.fetchHistory()).events?.length ?? 0;
    // The bound: nothing more happens to a stuck order once every level fired (about 60 events here); a progress report
    // adds about four (update accepted and completed, the timer moved).
    assert.ok(eventsAfterAWeek < 100, `a week-long stuck order has ${eventsAfterAWeek} events`);
    assert.equal(eventsAfterThreeWeeks, eventsAfterAWeek, 'two more weeks of silence add no event');
    assert.equal(calls.filter((c) => c.name === 'notifyPerson').length, 3, 'ES-5 told two recipients and ES-2 one, once each');
  });

  test("the sixth design times a warehouse's own escalation terms from the settings its order arrived with, reading no policy of its own", async () => {
    const calls: Calls = [];
    const policy = { ...defaultOrderPolicy, returnWindowSeconds: DAY };
    const plain = stubActivities(policy, calls);
    // Suzhou's own terms: ES-2 after 2 hours instead of 4; the brand-wide ES-5 levels stay as they are.
    const settings = escalationSettingsSchema.parse({
      base: defaultEscalationPolicy,
      overrides: [{ id: 'suzhou-faster', location: { kind: 'warehouse', id: 'suzhou' }, settings: { es2: { after: 2 * 3600 } } }],
    });
    const activities = stubActivities(policy, calls, {
      receiveOrder: async (input) => ({ ...(await plain.receiveOrder(input)), escalation: { settings, version: 7 } }),
      loadEscalationPolicy: async (target) => {
        calls.push({ name: 'loadEscalationPolicy', input: target });
        return plain.loadEscalationPolicy(target);
      },
    });
    const handle = await startWithFirstEvent(toCanonical(paid(makeOrder())), activities, 6);
    await eventually(async () => ((await handle.query(getOrder)).status === 'FULFILLING' ? true : undefined), 'fulfilment');
    await env.sleep('1 day');
    const stuck = await handle.query(getOrder);
    const es2 = stuck.escalations?.find((e) => e.level === 'ES-2');
    assert.ok(es2, `ES-2 fired: ${JSON.stringify(stuck.escalations?.map((e) => e.level))}`);
    assert.deepEqual([es2.location, es2.policyVersion], [{ kind: 'warehouse', id: 'suzhou' }, 7]);
    const waited = Date.parse(es2.firedAt) - Date.parse(es2.since);
    assert.ok(waited >= 2 * 3600_000 && waited < 4 * 3600_000, `ES-2 fired ${waited / 60_000} min after dispatch: Suzhou's 2 h`);
    assert.deepEqual(
      calls.filter((c) => c.name === 'loadEscalationPolicy'),
      [],
      'the policy of the order and of its warehouse came from the settings read with the order',
    );
  });

  test('the seventh design routes and reserves in one step a round; an undone round is planned again and not counted', async () => {
    const calls: Calls = [];
    const plain = stubActivities({ ...defaultOrderPolicy, returnWindowSeconds: DAY }, calls);
    // Round 1 undone (its step retried after a failure), rounds 2 and 3 short, round 4 reserved: three reservations
    // tried, the most an allocation tries before it holds the order.
    const rounds: number[] = [];
    const allocateStock: Activities['allocateStock'] = async (input) => {
      rounds.push(input.round);
      if (input.round === 1) return { undone: true };
      const allocation = await plain.allocateStock(input);
      if (input.round === 4 || !('route' in allocation)) return allocation;
      const { lineId, sku } = input.order.lines[0]!;
      return { ...allocation, reserved: { ok: false, shortages: [{ lineId, sku, warehouseId: 'suzhou', requested: 1, available: 0 }] } };
    };
    const handle = await startWithFirstEvent(toCanonical(paid(makeOrder())), { ...plain, allocateStock }, 7);
    const fulfilling = await eventually(async () => {
      const view = await handle.query(getOrder);
      return view.status === 'FULFILLING' ? view : undefined;
    }, 'fulfilment');
    assert.deepEqual(rounds, [1, 2, 3, 4]);
    assert.deepEqual(
      fulfilling.shipments.map((s) => s.shipmentId),
      ['S4-1'],
    );
    assert.ok(fulfilling.reservations.length > 0 && fulfilling.reservations.every((r) => r.key.includes('/4/') && r.state === 'reserved'));
    assert.equal(calls.filter((c) => c.name === 'dispatchToWarehouse').length, 1);
    const history = await handle.fetchHistory();
    const steps = history.events!.flatMap((e) => {
      const data = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
      return data ? [JSON.parse(Buffer.from(data).toString()).activity_type as string] : [];
    });
    assert.deepEqual(
      steps.filter((t) => ['allocateStock', 'routeOrder', 'reserveStock'].includes(t)),
      ['allocateStock', 'allocateStock', 'allocateStock', 'allocateStock'],
      'the history records each allocation as one step',
    );
  });

  test('a warehouse outage looks for orders twice: one routed there with the network a worker had not looked up again yet moves too', async () => {
    const policy = { ...defaultOrderPolicy, returnWindowSeconds: DAY };
    const [early, late] = [toCanonical(paid(makeOrder())), toCanonical(paid(makeOrder()))];
    const ids = [early, late].map((o) => orderIdOf(o.channel, o.channelOrderId));
    for (const order of [early, late]) {
      const handle = await startWithFirstEvent(order, stubActivities(policy), 6);
      await eventually(async () => ((await handle.query(getOrder)).status === 'FULFILLING' ? true : undefined), 'fulfilment');
    }
    // The first look finds only the early order: the late one was routed with the network from before the save.
    const looks: string[][] = [];
    const activities = stubActivities(policy, [], {
      findOrdersToReroute: async () => {
        looks.push(looks.length === 0 ? [ids[0]!] : ids);
        return looks.at(-1)!;
      },
    });
    const taskQueue = 'ts-outage';
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, activities, ...workflowCode() });
    workers.push({ worker, running: worker.run() });
    const outage = await env.client.workflow.execute<typeof warehouseOutageWorkflow>('warehouseOutageWorkflow', {
      workflowId: 'outage-suzhou-sweeps',
      taskQueue,
      args: [{ warehouseId: 'suzhou', reason: 'snowstorm', requestedBy: 'ops' }],
    });
    assert.equal(looks.length, 2, 'two looks');
    assert.deepEqual(outage.signalled, ids, 'each order signalled once');
  });
});
