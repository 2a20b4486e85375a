/** Rolls a new escalation policy version out to the running orders, so orders already waiting are timed by it. */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { EscalationScope } from '../domain/escalation';

const { announceEscalationPolicy } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * Tells the running orders the version can time differently (all when no audience is given: rollouts started before
 * audiences existed); returns how many were told. Its id is the version's, so it runs once.
 */
export async function escalationPolicyRollout(input: { version: number; audience?: 'everyone' | EscalationScope[] }): Promise<number> {
  return announceEscalationPolicy(input);
}
