/** How the API talks to Temporal: start or join an order's workflow, read it, update it, start outages, see its workers. Typed outcomes, no HTTP. */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { formatMinorUnits } from '../domain/money';
import type { EscalationScope } from '../domain/escalation';
import { type Channel } from '../domain/order';
import { escalationRolloutWorkflowId, orderIdOf, orderWorkflowId, returnWorkflowId, warehouseOutageWorkflowId } from '../domain/ids';
import type { ReturnView } from '../domain/returns';
import { sendUpdate } from './updateRetry';
import { getReturn } from '../workflows/returns/messages';
import type { OrderEvent } from '../domain/orderEvents';
import type { AuditEntry, OrderView } from '../domain/orderView';
import type { StoppedWarehouse } from '../domain/routing/warehouses';
import { BrandKey, ChannelKey, OrderStatusKey } from '../domain/searchAttributes';
import { getOrder, getUnwrittenAudit, orderEvent } from '../workflows/order/messages';
import type { orderWorkflow } from '../workflows/order/workflow';
import type { warehouseOutageWorkflow } from '../workflows/warehouse/outage';
import type { escalationPolicyRollout } from '../workflows/escalationRollout';

/** What an intake event led to: taken by the order's workflow, or a finished workflow that takes no more events. */
export type IntakeOutcome = { orderId: string; closed: boolean };

/** An order's workflow as Temporal describes it, with the order when the workflow could still answer a query. */
export type OrderRead =
  | { found: false }
  | { found: true; order?: OrderView; workflow: { workflowId: string; runId?: string; status: string; historyLength?: number } };

/** What an update to an order led to: its answer (mostly the order after it), or no running workflow to take it. */
export type UpdateOutcome<Result = OrderView> = { applied: true; view: Result } | { applied: false };

/** Builds the workflow client of the API. */
export function createWorkflowClient(client: Client, taskQueue: string) {
  /**
   * Sends an update to a workflow; the idempotency key, when given, is the update id, and an update Temporal aborted with
   * its workflow task goes again under the same id (./updateRetry.ts). `applied: false` when the workflow has finished or
   * never existed; the workflow's refusals are thrown.
   */
  const applyUpdate = async <Result, Arg>(
    workflowId: string,
    update: UpdateDefinition<Result, [Arg]>,
    arg: Arg,
    idempotencyKey?: string,
  ): Promise<UpdateOutcome<Result>> => {
    try {
      const handle = client.workflow.getHandle(workflowId);
      const updateId = idempotencyKey ?? randomUUID();
      const view = await sendUpdate(() => handle.executeUpdate(update, { args: [arg], updateId }));
      return { applied: true, view };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return { applied: false };
      throw error;
    }
  };

  return {
    /**
     * Delivers one channel event: a new order's workflow is started with the event as its input (one billable
     * action); an order that has one already gets the event as a signal. Either way Temporal takes it durably
     * without any worker running, and the workflow ignores an event id it has seen, so a repeat is harmless.
     */
    async submitEvent(channel: Channel, event: OrderEvent): Promise<IntakeOutcome> {
      const orderId = orderIdOf(channel, event.type === 'snapshot' ? event.order.channelOrderId : event.channelOrderId);
      const summary =
        event.type === 'snapshot'
          ? `${orderId} · ${event.order.brand} · ${event.order.lines.length} line(s) · ${event.order.currency} ${formatMinorUnits(event.order.amounts.paid)}`
          : `${orderId} · payment notice received before the order`;
      try {
        await client.workflow.start<typeof orderWorkflow>('orderWorkflow', {
          workflowId: orderWorkflowId(orderId),
          taskQueue,
          args: [{ orderId, firstEvent: event, design: 7 }],
          workflowIdConflictPolicy: 'FAIL',
          // A finished order is never started again: its event goes to the signal below, which finds it closed.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          staticSummary: summary,
          typedSearchAttributes: [
            { key: ChannelKey, value: channel },
            { key: OrderStatusKey, value: 'AWAITING_PAYMENT' },
            ...(event.type === 'snapshot' ? [{ key: BrandKey, value: event.order.brand }] : []),
          ],
        });
        return { orderId, closed: false };
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      try {
        await client.workflow.getHandle(orderWorkflowId(orderId)).signal(orderEvent, event);
        return { orderId, closed: false };
      } catch (error) {
        // The order's workflow has already finished: it takes no more events.
        if (error instanceof WorkflowNotFoundError) return { orderId, closed: true };
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

    /** A return's state from its running workflow; undefined when it has finished or never existed (read the store). */
    async readReturn(orderId: string, returnId: string): Promise<ReturnView | undefined> {
      return client.workflow
        .getHandle(returnWorkflowId(orderId, returnId))
        .query(getReturn)
        .catch(() => undefined);
    },

    /** Sends an update to a running return; `applied: false` when it has finished or never existed. Refusals are thrown. */
    async updateReturn<Arg>(
      orderId: string,
      returnId: string,
      update: UpdateDefinition<ReturnView, [Arg]>,
      arg: Arg,
      idempotencyKey?: string,
    ): Promise<UpdateOutcome<ReturnView>> {
      return applyUpdate(returnWorkflowId(orderId, returnId), update, arg, idempotencyKey);
    },

    /** Audit entries the order's running workflow has not written yet; none when it has finished. */
    async unwrittenAudit(orderId: string): Promise<AuditEntry[]> {
      return client.workflow
        .getHandle(orderWorkflowId(orderId))
        .query(getUnwrittenAudit)
        .catch(() => []);
    },

    /** Sends an update to an order (see applyUpdate): `applied: false` when it has finished or never existed. */
    update<Result, Arg>(
      orderId: string,
      update: UpdateDefinition<Result, [Arg]>,
      arg: Arg,
      idempotencyKey?: string,
    ): Promise<UpdateOutcome<Result>> {
      return applyUpdate(orderWorkflowId(orderId), update, arg, idempotencyKey);
    },

    /** True when a workflow poller and an activity poller have polled the order task queue within `recentMs`. */
    async workersPolling(recentMs: number): Promise<boolean> {
      const since = Date.now() - recentMs;
      const { TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY } = temporal.api.enums.v1.TaskQueueType;
      const recent = await Promise.all(
        [TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY].map(async (taskQueueType) => {
          const { pollers } = await client.connection.withDeadline(Date.now() + 2_000, () =>
            client.workflowService.describeTaskQueue({
              namespace: client.options.namespace,
              taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
              taskQueueType,
            }),
          );
          return pollers.some((poller) => (optionalTsToMs(poller.lastAccessTime) ?? 0) >= since);
        }),
      );
      return recent.every(Boolean);
    },

    /** Starts the rollout of an escalation policy version to the running orders it concerns, once per version. */
    async startEscalationRollout(version: number, audience: 'everyone' | EscalationScope[]): Promise<void> {
      try {
        await client.workflow.start<typeof escalationPolicyRollout>('escalationPolicyRollout', {
          workflowId: escalationRolloutWorkflowId(version),
          taskQueue,
          args: [{ version, audience }],
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
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
