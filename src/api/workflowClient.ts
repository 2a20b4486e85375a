/** How the API talks to Temporal: start or join an order's workflow, read it, update it, start outages. Typed outcomes, no HTTP. */
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { formatMinorUnits } from '../domain/money';
import { orderIdOf, orderWorkflowId, warehouseOutageWorkflowId, type Channel } from '../domain/order';
import type { OrderEvent } from '../domain/orderEvents';
import type { OrderView } from '../domain/orderView';
import type { StoppedWarehouse } from '../domain/routing/warehouses';
import { BrandKey, ChannelKey, OrderStatusKey } from '../domain/searchAttributes';
import { getOrder, receiveOrderEvent } from '../workflows/order/messages';
import type { orderWorkflow } from '../workflows/order/workflow';
import type { warehouseOutageWorkflow } from '../workflows/warehouse/outage';

/** What an intake event led to: the order as it stands, or a finished workflow that takes no more events. */
export type IntakeOutcome = { orderId: string; closed: false; view?: OrderView } | { orderId: string; closed: true };

/** An order's workflow as Temporal describes it, with the order when the workflow could still answer a query. */
export type OrderRead =
  | { found: false }
  | { found: true; order?: OrderView; workflow: { workflowId: string; runId?: string; status: string; historyLength?: number } };

/** What an update to an order led to: the order after it, or no running workflow to take it. */
export type UpdateOutcome = { applied: true; view: OrderView } | { applied: false };

/** Builds the workflow client of the API. */
export function createWorkflowClient(client: Client, taskQueue: string) {
  return {
    /**
     * Starts the order's workflow or joins it (update-with-start), delivering one channel event.
     * The update id is the event id, so a repeated delivery is answered with the first result.
     */
    async submitEvent(channel: Channel, event: OrderEvent): Promise<IntakeOutcome> {
      const orderId = orderIdOf(channel, event.type === 'snapshot' ? event.order.channelOrderId : event.channelOrderId);
      const summary =
        event.type === 'snapshot'
          ? `${orderId} · ${event.order.brand} · ${event.order.lines.length} line(s) · ${event.order.currency} ${formatMinorUnits(event.order.amounts.paid)}`
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
        const result = await client.workflow.executeUpdateWithStart(receiveOrderEvent, {
          args: [event],
          updateId: `event:${event.eventId}`,
          startWorkflowOperation: start,
        });
        return { orderId, closed: false, view: result.view };
      } catch (error) {
        // The order's workflow has already finished: it takes no more events.
        if (error instanceof WorkflowExecutionAlreadyStartedError) return { orderId, closed: true };
        throw error;
      }
    },

    /** Describes the order's workflow and asks it for the order (a closed workflow may no longer answer). */
    async read(orderId: string): Promise<OrderRead> {
      const handle = client.workflow.getHandle(orderWorkflowId(orderId));
      try {
        const description = await handle.describe();
        const order = await handle.query(getOrder).catch(() => undefined);
        const workflow = {
          workflowId: description.workflowId,
          runId: description.runId,
          status: description.status.name,
          historyLength: description.historyLength,
        };
        return { found: true, order, workflow };
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return { found: false };
        throw error;
      }
    },

    /** Sends an update to an order; the idempotency key, when given, is the update id. The workflow's refusals are thrown. */
    async update<Arg>(
      orderId: string,
      update: UpdateDefinition<OrderView, [Arg]>,
      arg: Arg,
      idempotencyKey?: string,
    ): Promise<UpdateOutcome> {
      try {
        const view = await client.workflow
          .getHandle(orderWorkflowId(orderId))
          .executeUpdate(update, { args: [arg], ...(idempotencyKey ? { updateId: idempotencyKey } : {}) });
        return { applied: true, view };
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return { applied: false };
        throw error;
      }
    },

    /** Starts one outage workflow per stopped warehouse (RT-4); the id carries the network version, so a retry starts nothing twice. */
    async startWarehouseOutages(stopped: StoppedWarehouse[], networkVersion: number, requestedBy: string): Promise<void> {
      for (const { warehouseId, reason } of stopped) {
        try {
          await client.workflow.start<typeof warehouseOutageWorkflow>('warehouseOutageWorkflow', {
            workflowId: warehouseOutageWorkflowId(warehouseId, networkVersion),
            taskQueue,
            args: [{ warehouseId, reason, requestedBy }],
            staticSummary: reason,
          });
        } catch (error) {
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        }
      }
    },
  };
}

/** The API's workflow client. */
export type WorkflowClient = ReturnType<typeof createWorkflowClient>;
