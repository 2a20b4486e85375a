/**
 * Delivering one message to a partner: the deliveries log counts the attempt, the partner's adapter makes the call
 * with the message's idempotency key, and the answer becomes Temporal's next step: delivered, retried (after what
 * the partner asked to wait), or refused for good and handed to a person by the workflow.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { DeliveryIntent } from '../db/deliveries';
import type { DeliveryOutcome } from '../domain/delivery';
import { countDeliveryAttempt } from '../metrics/hub';
import type { ActivityDeps } from './deps';
import type { PartnerAnswer } from './partners/types';

/** Failure type of a delivery to try again; its retries follow the workflow's delivery retry policy. */
export const PARTNER_RETRY = 'PartnerRetry';
/** Wait before retrying a call held back because the partner already has its limit of calls in flight. */
const BUSY_RETRY_MS = 1000;

/** One partner's limits in this worker: calls in flight, and until when it asked us to wait. */
interface PartnerGate {
  inFlight: number;
  waitUntil: number;
}

/** Builds `deliver`, sharing one gate per partner across every delivery activity of the worker. */
export function createDeliverer({ stores, logger, partnerLimits }: ActivityDeps) {
  const gates = new Map<string, PartnerGate>();
  const gateOf = (name: string) => {
    let gate = gates.get(name);
    if (!gate) gates.set(name, (gate = { inFlight: 0, waitUntil: 0 }));
    return gate;
  };

  /**
   * Delivers `intent` through `call`, unless the log says the partner already acknowledged it. A partner that
   * asked to wait (429 Retry-After, THROTTLED) or has its limit of calls in flight is not called: the attempt is
   * retried later, so one partner's storm holds no slots the others need.
   */
  return async function deliver(intent: DeliveryIntent, call: (() => Promise<PartnerAnswer>) | undefined): Promise<DeliveryOutcome> {
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
    const record = await stores.deliveries.beginAttempt(intent);
    if (record.state === 'delivered') return { delivered: true, key: intent.key, reference: record.reference };
    gate.inFlight += 1;
    const started = process.hrtime.bigint();
    let answer: PartnerAnswer;
    try {
      answer = await call();
    } finally {
      gate.inFlight -= 1;
    }
    countDeliveryAttempt(intent.partner.kind, answer.outcome, Number(process.hrtime.bigint() - started) / 1e9);
    const { status, excerpt } = answer;
    const log = { key: intent.key, partner, kind: intent.kind, orderId: intent.orderId, attempt: record.attempts, status };
    switch (answer.outcome) {
      case 'delivered':
        await stores.deliveries.recordAnswer(intent.key, { state: 'delivered', status, excerpt, reference: answer.reference });
        logger.info(log, 'delivered');
        return { delivered: true, key: intent.key, reference: answer.reference };
      case 'refused':
        await stores.deliveries.recordAnswer(intent.key, { state: 'failed-permanently', status, excerpt, reason: answer.reason });
        logger.warn({ ...log, reason: answer.reason }, 'delivery refused for good');
        return { delivered: false, key: intent.key, partner: intent.partner, reason: answer.reason };
      case 'retry':
        await stores.deliveries.recordAnswer(intent.key, { state: 'pending', status, excerpt, reason: answer.reason });
        if (answer.retryAfterMs !== undefined) gate.waitUntil = Math.max(gate.waitUntil, Date.now() + answer.retryAfterMs);
        logger.info({ ...log, reason: answer.reason, retryAfterMs: answer.retryAfterMs }, 'delivery to be retried');
        throw ApplicationFailure.create({
          type: PARTNER_RETRY,
          message: `${partner}: ${answer.reason}`,
          ...(answer.retryAfterMs !== undefined ? { nextRetryDelay: answer.retryAfterMs } : {}),
        });
    }
  };
}

/** Delivers one message; see createDeliverer. */
export type Deliver = ReturnType<typeof createDeliverer>;
