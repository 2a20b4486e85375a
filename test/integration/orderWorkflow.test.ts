/** The order workflow alone, on the real Temporal dev server, with stub activities: paths HTTP cannot easily force. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { orderIdOf, orderWorkflowId, type CanonicalOrder } from '../../src/domain/order';
import { defaultOrderPolicy, type OrderPolicy } from '../../src/domain/policy';
import type { OrderView } from '../../src/domain/orderView';
import { receiveOrderEvent, getOrder, cancelOrder } from '../../src/workflows/order/messages';
import { makeOrder, paid } from '../fixtures/orders';
import { eventually } from './harness';

type Calls = Array<{ name: string; input: unknown }>;

/** Stub activities that record their calls; `overrides` replace individual ones. */
function stubActivities(calls: Calls, policy: OrderPolicy, overrides: Partial<Activities> = {}): Activities {
  const record = (name: string) => async (input: unknown) => { calls.push({ name, input }); };
  const stubs: Activities = {
    loadOrderPolicy: async () => ({ policy, appliedOverrides: ['stub'] }),
    assessOrderRisk: async () => [],
    recordOrderChange: async () => undefined,
    notifySupervisor: record('notifySupervisor'),
    routeOrder: async ({ order }) => ({ shipments: [{ kind: 'warehouse', locationId: 'suzhou', lineIds: order.lines.map((l) => l.lineId), promisedDeliveryDays: 1 }], unroutable: [], summary: 'stub → suzhou', decision: {} }),
    checkDeliveryArea: async () => ({ deliverable: true }),
    findOrdersToReroute: async () => [],
    reserveStock: async (input) => { calls.push({ name: 'reserveStock', input }); return { ok: true }; },
    releaseReservations: record('releaseReservations'),
    commitReservations: record('commitReservations'),
    dispatchToWarehouse: record('dispatchToWarehouse'),
    cancelWarehouseDispatch: record('cancelWarehouseDispatch'),
    updateShipmentAddress: record('updateShipmentAddress'),
    pushToSupplier: record('pushToSupplier'),
    recallSupplierPush: record('recallSupplierPush'),
    writeBackShipment: record('writeBackShipment'),
    refundPayment: record('refundPayment'),
    ...overrides,
  };
  return stubs;
}

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

  /** Starts a worker on a fresh task queue with the given activities and submits the order. */
  async function run(order: CanonicalOrder, activities: Activities): Promise<string> {
    const taskQueue = `wf-${order.channelOrderId}`;
    const worker = await Worker.create({ connection: nativeConnection, taskQueue, activities, workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! } });
    queues.push({ worker, running: worker.run() });
    const orderId = orderIdOf(order.channel, order.channelOrderId);
    await client.workflow.executeUpdateWithStart(receiveOrderEvent, {
      args: [{ type: 'snapshot', eventId: 'e1', order }],
      startWorkflowOperation: new WithStartWorkflowOperation('orderWorkflow', { workflowId: orderWorkflowId(orderId), taskQueue, args: [{ orderId }], workflowIdConflictPolicy: 'USE_EXISTING' }),
    });
    return orderId;
  }
  const view = (orderId: string) => client.workflow.getHandle(orderWorkflowId(orderId)).query(getOrder);
  const until = (orderId: string, predicate: (v: OrderView) => boolean, what: string) =>
    eventually(async () => { const v = await view(orderId); return predicate(v) ? v : undefined; }, what);

  test('pre-occupied stock is released when the order stays unpaid, and reserved again when payment arrives', async () => {
    const calls: Calls = [];
    const order = makeOrder();
    const orderId = await run(order, stubActivities(calls, { ...defaultOrderPolicy, lockStrategy: 'preOccupy', paymentTimeoutSeconds: 1 }));
    await until(orderId, (v) => v.reservations.some((r) => r.state === 'released'), 'the pre-occupied stock to be released');
    assert.deepEqual(calls.map((c) => c.name), ['reserveStock', 'releaseReservations']);
    await client.workflow.getHandle(orderWorkflowId(orderId)).executeUpdate(receiveOrderEvent, { args: [{ type: 'snapshot', eventId: 'e2', order: paid(order) }] });
    const fulfilling = await until(orderId, (v) => v.status === 'FULFILLING', 'fulfilment after the late payment');
    assert.deepEqual(calls.map((c) => c.name), ['reserveStock', 'releaseReservations', 'reserveStock', 'dispatchToWarehouse']);
    assert.deepEqual(fulfilling.reservations.map((r) => r.state), ['released', 'reserved']);
  });

  test('an order that cannot be reserved is cancelled when the policy says cancel, and refunded', async () => {
    const calls: Calls = [];
    const shortage = async (input: unknown) => { calls.push({ name: 'reserveStock', input }); return { ok: false as const, shortages: [{ lineId: 'L1', sku: 'TEE-001', warehouseId: 'suzhou', requested: 1, available: 0 }] }; };
    const orderId = await run(paid(makeOrder()), stubActivities(calls, { ...defaultOrderPolicy, outOfStockAction: 'cancel' }, { reserveStock: shortage }));
    const cancelled = await until(orderId, (v) => v.status === 'CANCELLED', 'the out-of-stock cancellation');
    assert.equal(cancelled.cancellation?.reason, 'out of stock');
    assert.equal(calls.filter((c) => c.name === 'reserveStock').length, 3, 'routing and reserving are retried before giving up');
    assert.deepEqual(calls.filter((c) => c.name !== 'reserveStock').map((c) => c.name), ['refundPayment']);
  });

  test('a compensation that fails is retried until it succeeds: a cancel never leaves money held', async () => {
    const calls: Calls = [];
    let refundAttempts = 0;
    const flakyRefund = async (input: unknown) => {
      refundAttempts += 1;
      if (refundAttempts < 3) throw new Error('payment gateway unavailable');
      calls.push({ name: 'refundPayment', input });
    };
    const orderId = await run(paid(makeOrder()), stubActivities(calls, defaultOrderPolicy, { refundPayment: flakyRefund }));
    await until(orderId, (v) => v.status === 'FULFILLING', 'fulfilment');
    const result = await client.workflow.getHandle(orderWorkflowId(orderId)).executeUpdate(cancelOrder, { args: [{ by: 'operations', actor: 'ops', reason: 'duplicate order' }] });
    assert.equal(result.status, 'CANCELLED');
    assert.equal(refundAttempts, 3);
    assert.deepEqual(calls.map((c) => c.name), ['reserveStock', 'dispatchToWarehouse', 'cancelWarehouseDispatch', 'releaseReservations', 'refundPayment']);
  });
});
