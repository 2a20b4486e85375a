/** Steps the lifecycle tests share: submit, wait for a status, report shipment progress, read stock and audit. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { type CanonicalOrder } from '../../src/domain/order';
import { orderIdOf, orderWorkflowId } from '../../src/domain/ids';
import type { OrderView } from '../../src/domain/orderView';
import { eventually, type Harness } from './harness';

/** Lifecycle steps against one harness. */
export function lifecycle(hub: Harness) {
  const steps = {
    /** Posts an order snapshot and returns its order id. */
    async submit(order: CanonicalOrder, eventId = `${order.channelOrderId}:${order.paymentStatus}`): Promise<string> {
      const answer = await hub.channel(order.channel, '/events', { type: 'snapshot', eventId, order });
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      return orderIdOf(order.channel, order.channelOrderId);
    },
    /** The order as its workflow reports it, once the workflow has taken it (intake answers before that). */
    read(orderId: string): Promise<OrderView> {
      return eventually(async () => {
        const answer = await hub.ops('GET', `/v1/orders/${orderId}`);
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        return answer.body.order as OrderView | undefined;
      }, `${orderId} to be taken by its workflow`);
    },
    /** Waits until the order reaches a status and has written it down (the read model follows the audit trail). */
    waitFor(orderId: string, status: OrderView['status'], timeoutMs = 20_000): Promise<OrderView> {
      return eventually(
        async () => {
          if ((await hub.stores.orders.find(orderId))?.status !== status) return undefined;
          const view = await steps.read(orderId);
          return view.status === status ? view : undefined;
        },
        `${orderId} to be ${status}`,
        timeoutMs,
      );
    },
    /** Reports a shipment step as the warehouse, supplier or carrier would. */
    progress(orderId: string, shipmentId: string, step: string, extra: Record<string, unknown> = {}) {
      return hub.ops(
        'POST',
        `/v1/orders/${orderId}/shipments/${shipmentId}/progress`,
        { step, at: new Date().toISOString(), ...extra },
        { 'idempotency-key': `${shipmentId}-${step}-${orderId}` },
      );
    },
    /** Walks every shipment of the order from accepted to shipped. */
    async shipAll(orderId: string): Promise<void> {
      const view = await steps.read(orderId);
      for (const shipment of view.shipments) {
        for (const step of ['accepted', 'picking', 'packed'])
          assert.equal((await steps.progress(orderId, shipment.shipmentId, step)).status, 200);
        const shipped = await steps.progress(orderId, shipment.shipmentId, 'shipped', {
          trackingNumber: `SF${shipment.shipmentId.replace(/\W/g, '')}0001`,
          carrier: 'SF',
        });
        assert.equal(shipped.status, 200, JSON.stringify(shipped.body));
      }
    },
    /** Stock balance of a SKU in a warehouse. */
    balance(sku: string, warehouseId: string) {
      return hub.stores.ledger.balance(sku, warehouseId);
    },
    /** The audit trail's actions, oldest first. */
    async auditActions(orderId: string): Promise<string[]> {
      const answer = await hub.ops('GET', `/v1/orders/${orderId}/audit`);
      assert.equal(answer.status, 200);
      return answer.body.entries.map((e: { action: string }) => e.action);
    },
    /**
     * With RECORD_HISTORIES=<generation>, saves the order's workflow history as a replay fixture
     * (test/fixtures/histories/<name>-<generation>.history.pb), so later code changes are replayed against every
     * lifecycle path (`workflowId` records another workflow of the order, e.g. a return). Histories of earlier
     * generations stay: they stand for orders still running in production.
     */
    async recordHistory(name: string, orderId: string, workflowId = orderWorkflowId(orderId)): Promise<void> {
      const generation = process.env.RECORD_HISTORIES;
      if (!generation) return;
      const history = await hub.client.workflow.getHandle(workflowId).fetchHistory();
      const dir = path.join(__dirname, '..', 'fixtures', 'histories');
      mkdirSync(dir, { recursive: true });
      // Binary protobuf: the SDK's JSON helpers trip over its two nested protobufjs copies.
      writeFileSync(path.join(dir, `${name}-${generation}.history.pb`), temporal.api.history.v1.History.encode(history).finish());
    },
    /**
     * What the hub's partners received for the order and accepted, in arrival order, as `partner:event` (e.g.
     * `wms:pick_list.created`): the proof of delivery is the partner's, not a row in our database.
     */
    received(orderId: string): string[] {
      const { partners } = hub;
      const receivers = {
        wms: partners.wms,
        carrier: partners.carrier,
        channel: partners.storefront,
        supplier: partners.suppliers,
        payment: partners.payments,
        operations: partners.operations,
      };
      return Object.entries(receivers)
        .flatMap(([name, receiver]) =>
          receiver
            .events()
            .filter((event) => (event.data as { orderId?: string }).orderId === orderId)
            .map((event) => ({ at: event.receivedAt, what: `${name}:${event.type}` })),
        )
        .sort((a, b) => a.at - b.at)
        .map((entry) => entry.what);
    },
    /** Waits until the operations endpoint received an alert of `kind` about the order. */
    operationsAlert(orderId: string, kind: string, timeoutMs?: number) {
      return eventually(
        async () =>
          hub.partners.operations.events('operations.alert').find((e) => {
            const data = e.data as { kind: string; orderId: string };
            return data.kind === kind && data.orderId === orderId;
          }),
        `the ${kind} alert about ${orderId} at the operations endpoint`,
        timeoutMs,
      );
    },
    /** Waits until the partners received `expected` for the order (deliveries run beside the lifecycle). */
    receivedEventually(orderId: string, expected: string[]): Promise<string[]> {
      return eventually(
        async () => {
          const received = steps.received(orderId);
          return JSON.stringify(received) === JSON.stringify(expected) ? received : undefined;
        },
        `${orderId} partners to receive ${expected.join(', ')} (so far: ${steps.received(orderId).join(', ')})`,
      );
    },
  };
  return steps;
}
