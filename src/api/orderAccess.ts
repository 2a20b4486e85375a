/** Orders as API callers see them: from the running workflow, or from the read model once it has finished; HTTP answers. */
import type { UpdateDefinition } from '@temporalio/common';
import type { OrderReadModel } from '../db/orderReadModel';
import type { Channel } from '../domain/order';
import type { OrderEvent } from '../domain/orderEvents';
import type { OrderView } from '../domain/orderView';
import { HttpError } from './errors';
import type { WorkflowClient } from './workflowClient';

/** Builds order access over the workflow client and the read model. */
export function createOrderAccess(workflows: WorkflowClient, readModel: OrderReadModel) {
  return {
    /** Delivers a channel event; a finished order answers with its final state. */
    async submitEvent(channel: Channel, event: OrderEvent): Promise<{ orderId: string; view?: OrderView }> {
      const outcome = await workflows.submitEvent(channel, event);
      return outcome.closed ? { orderId: outcome.orderId, view: await readModel.find(outcome.orderId) } : outcome;
    },

    /** The order with its workflow's status; 404 when there is no such order. */
    async read(orderId: string) {
      const read = await workflows.read(orderId);
      if (!read.found) throw new HttpError(404, 'NOT_FOUND', `no order ${orderId}`);
      return { order: read.order ?? (await readModel.find(orderId)), workflow: read.workflow };
    },

    /** Updates the order; a finished order answers 409, an unknown one 404. */
    async update<Arg>(orderId: string, update: UpdateDefinition<OrderView, [Arg]>, arg: Arg, idempotencyKey?: string): Promise<OrderView> {
      const outcome = await workflows.update(orderId, update, arg, idempotencyKey);
      if (outcome.applied) return outcome.view;
      const closed = await readModel.find(orderId);
      if (closed) throw new HttpError(409, 'ALREADY_CLOSED', `the order is already ${closed.status.toLowerCase()}`);
      throw new HttpError(404, 'NOT_FOUND', `no order ${orderId}`);
    },
  };
}

/** Order access for routes. */
export type OrderAccess = ReturnType<typeof createOrderAccess>;
