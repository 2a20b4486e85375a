/** The order workflow's activity proxies and their options, declared once. */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';

/** Activities of the normal path: short calls, retried with backoff up to a minute apart. */
export const activities = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * Compensations retry without limit (no maximumAttempts) and back off to 5 minutes: a cancel must never
 * leave stock locked or money held.
 */
export const compensations = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '5 minutes' },
});
