/** Orders as API callers see them: from the running workflow, or from the read model once it has finished; HTTP answers. */
import type { UpdateDefinition } from '@temporalio/common';
import type { OrderReadModel } from '../db/orderReadModel';
import type { Channel } from '../domain/order';
import type { OrderEvent } from '../domain/orderEvents';
import type { AuditEntry } from '../domain/orderView';
import type { OrderStatus } from '../domain/status';
import { HttpError } from './errors';
import type { WorkflowClient } from './workflowClient';

/** Builds order access over the workflow client and the read model. */
export function createOrderAccess(workflows: WorkflowClient, readModel: OrderReadModel) {
  return {
    /**
     * Delivers a channel event: ACCEPTED once Temporal holds it, or a finished order's final status. A workflow that
     * finished without its order ever arriving (a lone payment notice timed out) takes nothing more: 409.
     */
    async submitEvent(channel: Channel, event: OrderEvent): Promise<{ orderId: string; status: 'ACCEPTED' | OrderStatus }> {
      const { orderId, closed } = await workflows.submitEvent(channel, event);
      if (!closed) return { orderId, status: 'ACCEPTED' };
      const final = await readModel.find(orderId);
      if (!final) throw new HttpError(409, 'ALREADY_CLOSED', `order ${orderId} was closed before its order arrived`);
      return { orderId, status: final.status };
    },

    /** The order with its workflow's status; 404 when there is no such order. */
    async read(orderId: string) {
      const read = await workflows.read(orderId);
      if (!read.found) throw new HttpError(404, 'NOT_FOUND', `no order ${orderId}`);
      return { order: read.order ?? (await readModel.find(orderId)), workflow: read.workflow };
    },

    /** The order's audit trail (OP-2), oldest first: what is written, then what its workflow noted since. */
    async audit(orderId: string): Promise<AuditEntry[]> {
      const [written, unwritten] = await Promise.all([readModel.audit(orderId), workflows.unwrittenAudit(orderId)]);
      const last = written.at(-1)?.seq ?? 0;
      return [...written, ...unwritten.filter((entry) => entry.seq > last)];
    },

    /** Updates the order; a finished order answers 409, an unknown one 404. */
    async update<Result, Arg>(
      orderId: string,
      update: UpdateDefinition<Result, [Arg]>,
      arg: Arg,
      idempotencyKey?: string,
    ): Promise<Result> {
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
