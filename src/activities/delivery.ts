/**
 * Delivering one message to a partner: the partner's adapter makes the call with the message's idempotency key, the
 * deliveries log records the attempt and the answer, and the answer becomes Temporal's next step: delivered, retried
 * (after what the partner asked to wait), or refused for good and handed to a person by the workflow.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { DeliveryIntent } from '../db/deliveries';
import type { DeliveryOutcome } from '../domain/delivery';
import { countDeliveryAttempt } from '../metrics/hub';
import type { ActivityDeps } from './deps';
import type { PartnerAnswer } from './partners/types';
import { withPartner } from '../tracing/partnerCalls';

/** Failure type of a delivery to try again; its retries follow the workflow's delivery retry policy. */
export const PARTNER_RETRY = 'PartnerRetry';
/** The failure that has Temporal try a partner again, after the wait it asked for when it named one. */
export function partnerRetry(message: string, retryAfterMs?: number): ApplicationFailure {
  return ApplicationFailure.create({
    type: PARTNER_RETRY,
    message,
    ...(retryAfterMs !== undefined ? { nextRetryDelay: retryAfterMs } : {}),
  });
}

/** Wait before retrying a call held back because the partner already has its limit of calls in flight. */
const BUSY_RETRY_MS = 1000;

/** One partner's limits in this worker: calls in flight, and until when it asked us to wait. */
interface PartnerGate {
  inFlight: number;
  waitUntil: number;
}

/** Delivers one message; see createDeliverer. */
export type Deliver = (intent: DeliveryIntent, call: (() => Promise<PartnerAnswer>) | undefined) => Promise<DeliveryOutcome>;

// One deliverer per process's dependencies, so every delivery activity shares each partner's gate.
const deliverers = new WeakMap<ActivityDeps, Deliver>();

/** The activity attempt this call is (1 outside an activity, e.g. a script calling activities directly). */
export function attemptNumber(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

/** Builds `deliver`, one per dependencies: every delivery activity of a worker shares one gate per partner. */
export function createDeliverer(deps: ActivityDeps): Deliver {
  const existing = deliverers.get(deps);
  if (existing) return existing;
  const { stores, logger, partnerLimits } = deps;
  const gates = new Map<string, PartnerGate>();
  const gateOf = (name: string) => {
    let gate = gates.get(name);
    if (!gate) gates.set(name, (gate = { inFlight: 0, waitUntil: 0 }));
    return gate;
  };

  /**
   * Delivers `intent` through `call`. A partner that asked to wait (429 Retry-After, THROTTLED) or has its limit of
   * calls in flight is not called: the attempt is retried later, so one partner's storm holds no slots the others
   * need. A retry first asks the deliveries log whether an earlier attempt was acknowledged; a first attempt just
   * calls, since the idempotency key makes a repeat harmless at the partner.
   */
  const deliver: Deliver = async (intent, call) => {
    const partner = `${intent.partner.kind}:${intent.partner.id}`;
    if (!call) {
      // Nothing configured to reach this partner: no retry can help, a person must configure it or act by hand.
      return { delivered: false, key: intent.key, partner: intent.partner, reason: `no endpoint is configured for ${partner}` };
    }
    const gate = gateOf(partner);
    const now = Date.now();
    if (gate.waitUntil > now || gate.inFlight >= partnerLimits.maxInFlightPerPartner) {
      countDeliveryAttempt(intent.partner.kind, 'deferred');
      const wait = gate.waitUntil > now ? gate.waitUntil - now : BUSY_RETRY_MS;
      throw ApplicationFailure.create({
        type: PARTNER_RETRY,
        message: `${partner} is not called now: it asked to wait or is busy`,
        nextRetryDelay: wait,
      });
    }
    if (attemptNumber() > 1) {
      const earlier = await stores.deliveries.byKey(intent.key);
      if (earlier?.state === 'delivered') return { delivered: true, key: intent.key, reference: earlier.reference };
    }
    gate.inFlight += 1;
    const started = process.hrtime.bigint();
    let answer: PartnerAnswer;
    try {
      // The call's span names the partner (channel:tmall, wms:suzhou…) rather than only its host.
      answer = await withPartner(partner, call);
    } finally {
      gate.inFlight -= 1;
    }
    countDeliveryAttempt(intent.partner.kind, answer.outcome, Number(process.hrtime.bigint() - started) / 1e9);
    const { status, excerpt } = answer;
    const log = { key: intent.key, partner, kind: intent.kind, orderId: intent.orderId, status };
    switch (answer.outcome) {
      case 'delivered':
        await stores.deliveries.recordAttempt(intent, { state: 'delivered', status, excerpt, reference: answer.reference });
        logger.debug(log, 'delivered');
        return { delivered: true, key: intent.key, reference: answer.reference };
      case 'refused':
        await stores.deliveries.recordAttempt(intent, { state: 'failed-permanently', status, excerpt, reason: answer.reason });
        logger.warn({ ...log, reason: answer.reason }, 'delivery refused for good');
        return { delivered: false, key: intent.key, partner: intent.partner, reason: answer.reason };
      case 'retry':
        await stores.deliveries.recordAttempt(intent, { state: 'pending', status, excerpt, reason: answer.reason });
        if (answer.retryAfterMs !== undefined) gate.waitUntil = Math.max(gate.waitUntil, Date.now() + answer.retryAfterMs);
        logger.info({ ...log, reason: answer.reason, retryAfterMs: answer.retryAfterMs }, 'delivery to be retried');
        throw partnerRetry(`${partner}: ${answer.reason}`, answer.retryAfterMs);
    }
  };
  deliverers.set(deps, deliver);
  return deliver;
}
