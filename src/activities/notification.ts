/** Notifications to people: operations alerts through the operations endpoint (a signed webhook until the escalation channels exist). */
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { DeliveryOutcome } from '../domain/delivery';
import { operationsAlertWorkflowId } from '../domain/ids';
import type { ActivityDeps } from './deps';
import { createDeliverer } from './delivery';

/** An alert for operations; `key` is its idempotency key, so one situation alerts once however often it is retried. */
export interface OperationsAlert {
  key: string;
  /** What happened, e.g. orderHeld, deliveryRefused, writeBackLate, stockBelowSafety. */
  kind: string;
  orderId?: string;
  /** One line a person reads first. */
  summary: string;
  detail?: Record<string, unknown>;
}

/**
 * Raises an alert from inside another activity (e.g. a reservation crossing the safety threshold) without calling a
 * partner there: it starts the alert's own small workflow, whose id is the alert's key, so a retried activity
 * starts it once and the delivery gets Temporal's retries.
 */
export async function raiseAlert(alert: OperationsAlert): Promise<void> {
  const context = Context.current();
  try {
    await context.client.workflow.start('operationsAlertWorkflow', {
      workflowId: operationsAlertWorkflowId(alert.key),
      taskQueue: context.info.taskQueue,
      args: [alert],
      // A finished alert is not raised again by a retried activity.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

/** Builds the notification activities. */
export function createNotificationActivities(deps: ActivityDeps) {
  const deliver = createDeliverer(deps);
  const { partners } = deps;
  const notifyOperations = (alert: OperationsAlert): Promise<DeliveryOutcome> => {
    const endpoint = partners.operations();
    return deliver(
      { key: alert.key, orderId: alert.orderId, partner: { kind: 'operations', id: 'operations' }, kind: alert.kind },
      endpoint &&
        (() =>
          endpoint.post(
            'operations.alert',
            { kind: alert.kind, orderId: alert.orderId, summary: alert.summary, detail: alert.detail ?? {} },
            alert.key,
          )),
    );
  };
  return {
    /** Tells operations something needs a person: a refused delivery, a late write-back, stock under its safety line. */
    notifyOperations,
    /** Tells the supervisor on duty that an order waits for review, with its named holds (MR-3). */
    async notifySupervisor(input: {
      orderId: string;
      holds: Array<{ reason: string; detail: string }>;
      since: string;
    }): Promise<DeliveryOutcome> {
      return notifyOperations({
        key: `ops:held:${input.orderId}:${input.since}`,
        kind: 'orderHeld',
        orderId: input.orderId,
        summary: `order ${input.orderId} is on hold: ${input.holds.map((h) => h.reason).join(', ')}`,
        detail: { holds: input.holds, since: input.since },
      });
    },
  };
}
