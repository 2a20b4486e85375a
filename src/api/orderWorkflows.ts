/** How the API talks to order workflows: start-or-join on intake, read state, send updates. */
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { orderIdOf, orderWorkflowId, warehouseOutageWorkflowId, type Channel } from '../domain/order';
import type { OrderEvent } from '../domain/orderEvents';
import type { OrderView } from '../domain/orderView';
import { BrandKey, ChannelKey, OrderStatusKey } from '../domain/searchAttributes';
import type { Database } from '../db/connection';
import { getOrder, receiveOrderEvent } from '../workflows/order/messages';
import type { orderWorkflow } from '../workflows/order/workflow';
import type { warehouseOutageWorkflow as WarehouseOutage } from '../workflows/warehouse/outage';
import type { Network } from '../db/stores';
import type { SettingsVersion } from '../db/settingsStore';
import { HttpError } from './errors';

/** An order's state together with its workflow's status. */
export interface OrderWithWorkflow {
  order: OrderView | undefined;
  workflow: { workflowId: string; runId?: string; status: string; historyLength?: number };
}

/** The order workflow operations the routes use. */
export function createOrderWorkflows(client: Client, db: Database, taskQueue: string) {
  const fromReadModel = async (orderId: string): Promise<OrderView | undefined> => {
    const record = await db.models.Order.findById(orderId).lean();
    return record?.view as OrderView | undefined;
  };

  return {
    /**
     * Starts the order's workflow or joins it (update-with-start), delivering one channel event.
     * The update id is the event id, so a repeated delivery is answered with the first result.
     */
    async submitEvent(channel: Channel, event: OrderEvent): Promise<{ orderId: string; view?: OrderView; closed: boolean }> {
      const channelOrderId = event.type === 'snapshot' ? event.order.channelOrderId : event.channelOrderId;
      const orderId = orderIdOf(channel, channelOrderId);
      const summary = event.type === 'snapshot'
        ? `${orderId} · ${event.order.brand} · ${event.order.lines.length} line(s) · ${event.order.currency} ${event.order.amounts.paid.toFixed(2)}`
        : `${orderId} · payment notice received before the order`;
      const start = new WithStartWorkflowOperation<typeof orderWorkflow>('orderWorkflow', {
        workflowId: orderWorkflowId(orderId),
        taskQueue,
        args: [{ orderId }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: summary,
        typedSearchAttributes: [
          { key: ChannelKey, value: channel },
          { key: OrderStatusKey, value: 'AWAITING_PAYMENT' },
          ...(event.type === 'snapshot' ? [{ key: BrandKey, value: event.order.brand }] : []),
        ],
      });
      try {
        const result = await client.workflow.executeUpdateWithStart(receiveOrderEvent, { args: [event], updateId: `event:${event.eventId}`, startWorkflowOperation: start });
        return { orderId, view: result.view, closed: false };
      } catch (error) {
        // The order's workflow has already finished: the order exists and its final state answers the event.
        if (error instanceof WorkflowExecutionAlreadyStartedError) return { orderId, view: await fromReadModel(orderId), closed: true };
        throw error;
      }
    },

    /** Reads an order from its workflow (falling back to the read model) with the workflow's status. */
    async read(orderId: string): Promise<OrderWithWorkflow> {
      const handle = client.workflow.getHandle(orderWorkflowId(orderId));
      let description: WorkflowExecutionDescription;
      try {
        description = await handle.describe();
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw new HttpError(404, 'NOT_FOUND', `no order ${orderId}`);
        throw error;
      }
      let order: OrderView | undefined;
      try {
        order = await handle.query(getOrder);
      } catch {
        order = await fromReadModel(orderId);
      }
      const workflow = { workflowId: description.workflowId, runId: description.runId, status: description.status.name, historyLength: description.historyLength };
      return { order, workflow };
    },

    /**
     * Starts one outage workflow per warehouse that a network save disabled or paused (RT-4); the id
     * carries the network version, so a retried request starts nothing twice.
     */
    async startOutages(previous: SettingsVersion<Network>, saved: SettingsVersion<Network>): Promise<void> {
      const wasServing = new Set(previous.body.warehouses.filter((w) => w.enabled && !w.paused).map((w) => w.id));
      const stopped = saved.body.warehouses.filter((w) => wasServing.has(w.id) && (!w.enabled || w.paused));
      for (const warehouse of stopped) {
        const reason = `warehouse ${warehouse.id} ${warehouse.enabled ? 'paused' : 'disabled'} in network v${saved.version}`;
        try {
          await client.workflow.start<typeof WarehouseOutage>('warehouseOutageWorkflow', {
            workflowId: warehouseOutageWorkflowId(warehouse.id, saved.version), taskQueue,
            args: [{ warehouseId: warehouse.id, reason, requestedBy: saved.actor }], staticSummary: reason,
          });
        } catch (error) {
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        }
      }
    },

    /** Sends an update to an order; the idempotency key, when given, is the update id. */
    async update<Arg>(orderId: string, update: UpdateDefinition<OrderView, [Arg]>, arg: Arg, idempotencyKey?: string): Promise<OrderView> {
      const handle = client.workflow.getHandle(orderWorkflowId(orderId));
      try {
        return await handle.executeUpdate(update, { args: [arg], ...(idempotencyKey ? { updateId: idempotencyKey } : {}) });
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        // A finished workflow takes no more updates; its order still exists in the read model.
        const closed = await fromReadModel(orderId);
        if (closed) throw new HttpError(409, 'ALREADY_CLOSED', `the order is already ${closed.status.toLowerCase()}`);
        throw new HttpError(404, 'NOT_FOUND', `no order ${orderId}`);
      }
    },
  };
}

/** The order workflow operations. */
export type OrderWorkflows = ReturnType<typeof createOrderWorkflows>;
