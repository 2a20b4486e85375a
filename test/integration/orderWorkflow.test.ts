/** The order workflow alone, on the real Temporal dev server, with stub activities: paths HTTP cannot easily force. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, Connection, WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { type CanonicalOrder } from '../../src/domain/order';
import { orderIdOf, orderWorkflowId } from '../../src/domain/ids';
import { defaultOrderPolicy } from '../../src/domain/policy';
import type { OrderView } from '../../src/domain/orderView';
import {
  cancelOrder,
  changeAddress,
  getOrder,
  receiveOrderEvent,
  reportShipmentProgress,
  requestReroute,
} from '../../src/workflows/order/messages';
import { makeOrder, paid, toCanonical } from '../fixtures/orders';
import { routeToSuzhou, stubActivities, type Calls } from '../fixtures/stubActivities';
import { eventually } from './harness';

describe('order workflow with stub activities', () => {
  let client: Client;
  let connection: Connection;
  let nativeConnection: NativeConnection;
  const queues: Array<{ worker: Worker; running: Promise<void> }> = [];

  before(async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    nativeConnection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    client = new Client({ connection });
  });
  after(async () => {
    for (const { worker } of queues) worker.shutdown();
    await Promise.all(queues.map((q) => q.running));
    await Promise.all([connection?.close(), nativeConnection?.close()]);
  });

  /** Starts a worker on a fresh task queue with the given activities and submits the canonical order (minor units), as intake would. */
  async function run(order: CanonicalOrder, activities: Activities): Promise<string> {
    const taskQueue = `wf-${order.channelOrderId}`;
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      activities,
      workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! },
    });
    queues.push({ worker, running: worker.run() });
    const orderId = orderIdOf(order.channel, order.channelOrderId);
    await client.workflow.executeUpdateWithStart(receiveOrderEvent, {
      args: [{ type: 'snapshot', eventId: 'e1', order }],
      startWorkflowOperation: new WithStartWorkflowOperation('orderWorkflow', {
        workflowId: orderWorkflowId(orderId),
        taskQueue,
        args: [{ orderId }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
    return orderId;
  }
  const view = (orderId: string) => client.workflow.getHandle(orderWorkflowId(orderId)).query(getOrder);
  const until = (orderId: string, predicate: (v: OrderView) => boolean, what: string) =>
    eventually(async () => {
      const v = await view(orderId);
      return predicate(v) ? v : undefined;
    }, what);

  test('pre-occupied stock is released when the order stays unpaid, and reserved again when payment arrives', async () => {
    const calls: Calls = [];
    const order = toCanonical(makeOrder());
    const orderId = await run(order, stubActivities({ ...defaultOrderPolicy, lockStrategy: 'preOccupy', paymentTimeoutSeconds: 1 }, calls));
    await until(orderId, (v) => v.reservations.some((r) => r.state === 'released'), 'the pre-occupied stock to be released');
    assert.deepEqual(
      calls.map((c) => c.name),
      ['reserveStock', 'releaseReservations'],
    );
    await client.workflow
      .getHandle(orderWorkflowId(orderId))
      .executeUpdate(receiveOrderEvent, { args: [{ type: 'snapshot', eventId: 'e2', order: paid(order) }] });
    const fulfilling = await until(orderId, (v) => v.status === 'FULFILLING', 'fulfilment after the late payment');
    assert.deepEqual(
      calls.map((c) => c.name),
      ['reserveStock', 'releaseReservations', 'reserveStock', 'dispatchToWarehouse'],
    );
    assert.deepEqual(
      fulfilling.reservations.map((r) => r.state),
      ['released', 'reserved'],
    );
  });

  test('an order that cannot be reserved is cancelled when the policy says cancel, and refunded', async () => {
    const calls: Calls = [];
    const shortage = async (input: unknown) => {
      calls.push({ name: 'reserveStock', input });
      return { ok: false as const, shortages: [{ lineId: 'L1', sku: 'TEE-001', warehouseId: 'suzhou', requested: 1, available: 0 }] };
    };
    const orderId = await run(
      toCanonical(paid(makeOrder())),
      stubActivities({ ...defaultOrderPolicy, outOfStockAction: 'cancel' }, calls, { reserveStock: shortage }),
    );
    const cancelled = await until(orderId, (v) => v.status === 'CANCELLED', 'the out-of-stock cancellation');
    assert.equal(cancelled.cancellation?.reason, 'out of stock');
    assert.equal(calls.filter((c) => c.name === 'reserveStock').length, 3, 'routing and reserving are retried before giving up');
    assert.deepEqual(
      calls.filter((c) => c.name !== 'reserveStock').map((c) => c.name),
      ['refundPayment'],
    );
  });

  test('a compensation that fails is retried until it succeeds: a cancel never leaves money held', async () => {
    const calls: Calls = [];
    let refundAttempts = 0;
    const flakyRefund = async (input: unknown) => {
      refundAttempts += 1;
      if (refundAttempts < 3) throw new Error('payment gateway unavailable');
      calls.push({ name: 'refundPayment', input });
      return { delivered: true as const, key: 'refund' };
    };
    const order = toCanonical(
      paid(
        makeOrder({
          lines: [{ lineId: 'L1', sku: 'TEE-001', category: 'tshirt', quantity: 1, unitPrice: 19.99 }],
          amounts: { goods: 19.99, shipping: 0, discount: 0, paid: 19.99 },
        }),
      ),
    );
    const orderId = await run(order, stubActivities(defaultOrderPolicy, calls, { refundPayment: flakyRefund }));
    await until(orderId, (v) => v.status === 'FULFILLING', 'fulfilment');
    const result = await client.workflow
      .getHandle(orderWorkflowId(orderId))
      .executeUpdate(cancelOrder, { args: [{ by: 'operations', actor: 'ops', reason: 'duplicate order' }] });
    assert.equal(result.status, 'CANCELLED');
    assert.equal(refundAttempts, 3);
    assert.deepEqual(
      calls.map((c) => c.name),
      ['reserveStock', 'dispatchToWarehouse', 'cancelWarehouseDispatch', 'releaseReservations', 'refundPayment'],
    );
    // Money inside the hub is minor units: 19.99 posted is refunded as 1999 fen.
    assert.equal((calls.at(-1)!.input as { amount: number }).amount, 1999);
  });

  test('a cancelled paid order is refunded under its cause, so a later refund of the same order is a different payment', async () => {
    const calls: Calls = [];
    const orderId = await run(toCanonical(paid(makeOrder())), stubActivities(defaultOrderPolicy, calls));
    await until(orderId, (v) => v.status === 'FULFILLING', 'fulfilment');
    await client.workflow
      .getHandle(orderWorkflowId(orderId))
      .executeUpdate(cancelOrder, { args: [{ by: 'buyer', actor: 'b1', reason: 'changed my mind' }] });
    const refund = calls.find((c) => c.name === 'refundPayment')!.input as { cause: string };
    assert.equal(refund.cause, 'cancellation');
  });

  test('audit records of one order never overlap, so an older mirror can never land after a newer one', async () => {
    const calls: Calls = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const versions: number[] = [];
    const slowRecord: Activities['recordOrderChange'] = async ({ view }) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      versions.push(view.version);
      await new Promise((resolve) => setTimeout(resolve, 50));
      inFlight -= 1;
    };
    const orderId = await run(toCanonical(paid(makeOrder())), stubActivities(defaultOrderPolicy, calls, { recordOrderChange: slowRecord }));
    const fulfilling = await until(orderId, (v) => v.status === 'FULFILLING', 'fulfilment');
    const handle = client.workflow.getHandle(orderWorkflowId(orderId));
    const shipmentId = fulfilling.shipments[0]!.shipmentId;
    // Five reports at once: each handler records, and without serialisation their records run side by side.
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        handle.executeUpdate(reportShipmentProgress, {
          args: [{ shipmentId, step: 'progress', at: new Date().toISOString(), note: `scan ${n}` }],
          updateId: `scan-${n}`,
        }),
      ),
    );
    await until(orderId, (v) => v.version >= fulfilling.version + 5, 'every report recorded');
    assert.equal(maxInFlight, 1);
    assert.deepEqual(
      versions,
      [...versions].sort((a, b) => a - b),
      'mirrors are written in version order',
    );
  });

  test('an address changed A → B → A after picking reaches the warehouse three times, each change under its own key', async () => {
    const calls: Calls = [];
    const orderId = await run(toCanonical(paid(makeOrder())), stubActivities(defaultOrderPolicy, calls));
    const fulfilling = await until(orderId, (v) => v.status === 'FULFILLING', 'fulfilment');
    const handle = client.workflow.getHandle(orderWorkflowId(orderId));
    const shipmentId = fulfilling.shipments[0]!.shipmentId;
    await handle.executeUpdate(reportShipmentProgress, { args: [{ shipmentId, step: 'picking', at: new Date().toISOString() }] });
    const a = fulfilling.order.shippingAddress;
    const b = { ...a, line1: '88 Other Road' };
    for (const address of [b, a, b]) await handle.executeUpdate(changeAddress, { args: [{ address, requestedBy: 'buyer', actor: 'b1' }] });
    const sent = calls
      .filter((c) => c.name === 'updateShipmentAddress')
      .map((c) => c.input as { changeId: string; address: { line1: string } });
    assert.deepEqual(
      sent.map((m) => m.address.line1),
      [b.line1, a.line1, b.line1],
    );
    assert.equal(new Set(sent.map((m) => m.changeId)).size, 3);
  });

  test('a shipment report that arrives while a re-route is moving the shipment is refused, then accepted for the new one', async () => {
    const calls: Calls = [];
    let routings = 0;
    let enterMove!: () => void;
    const moveEntered = new Promise<void>((resolve) => {
      enterMove = resolve;
    });
    let finishMove!: () => void;
    const moveMayFinish = new Promise<void>((resolve) => {
      finishMove = resolve;
    });
    const routeOrder: Activities['routeOrder'] = async ({ orderId, order }) => {
      routings += 1;
      const decision = routeToSuzhou(orderId, order);
      if (routings === 1) return decision;
      enterMove();
      await moveMayFinish;
      const shipments = decision.shipments.map((s) => ({ ...s, locationId: 'hefei' }));
      return { ...decision, shipments, summary: 'stub → hefei', decision: { ...decision.decision, shipments } };
    };
    const orderId = await run(toCanonical(paid(makeOrder())), stubActivities(defaultOrderPolicy, calls, { routeOrder }));
    const fulfilling = await until(orderId, (v) => v.status === 'FULFILLING', 'fulfilment');
    const handle = client.workflow.getHandle(orderWorkflowId(orderId));
    await handle.signal(requestReroute, { reason: 'suzhou paused', requestedBy: 'ops' });
    await moveEntered;
    const oldShipment = fulfilling.shipments[0]!.shipmentId;
    await assert.rejects(
      handle.executeUpdate(reportShipmentProgress, { args: [{ shipmentId: oldShipment, step: 'picking', at: new Date().toISOString() }] }),
      (error: unknown) =>
        error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type === 'SHIPMENT_MOVING',
    );
    finishMove();
    const moved = await until(orderId, (v) => v.shipments[0]?.locationId === 'hefei', 'the move to hefei');
    // As the refusal says: report again once the move has finished.
    const report = { shipmentId: moved.shipments[0]!.shipmentId, step: 'picking' as const, at: new Date().toISOString() };
    const picked = await eventually(
      () => handle.executeUpdate(reportShipmentProgress, { args: [report] }).catch(() => undefined),
      'the report on the moved shipment',
    );
    assert.deepEqual([picked.shipmentId, picked.step], [moved.shipments[0]!.shipmentId, 'picking']);
  });
});
