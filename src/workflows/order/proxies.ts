/** The order workflow's activity proxies and their options, declared once. */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { deliveryTaskQueue } from '../../domain/ids';

/** Activities of the first design: each call its own activity task, retried with backoff up to a minute apart. */
export const activities = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * Activities of the lean design: short, idempotent steps run as local activities, so the steps of one
 * workflow task (e.g. policy, risk, routing, reservation, pick list, record) cost one action, not one each.
 */
export const localActivities = proxyLocalActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '1 minute' },
});

/** The proxies one run calls its steps through. */
export type StepProxies = typeof activities;

/**
 * Compensations retry without limit (no maximumAttempts) and back off to 5 minutes: a cancel must never
 * leave stock locked or money held.
 */
export const compensations = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '5 minutes' },
});

/**
 * Third design: every message to a partner is a regular activity on the delivery task queue, beside the order's, so
 * a slow partner holds delivery slots only. Retried without limit, backing off to 5 minutes, or after exactly the
 * wait the partner asked for (429 Retry-After, THROTTLED); a call answers within the partner timeout (at most 15 s).
 */
export function deliveryProxies(orderTaskQueue: string): StepProxies {
  return proxyActivities<Activities>({
    taskQueue: deliveryTaskQueue(orderTaskQueue),
    startToCloseTimeout: '20 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '5 minutes' },
  });
}

/**
 * Third design: a delivery's first attempt runs as a local activity in the workflow task that decided it, once and
 * briefly: most partners answer in milliseconds, and then the message costs no task of its own. Anything else (a
 * refusal to retry, a slow partner) continues on the delivery task queue.
 */
export const firstDeliveryAttempt = proxyLocalActivities<Activities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumAttempts: 1 },
});
