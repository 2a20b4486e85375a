/**
 * The hub's own metrics, defined once: webhook acknowledgements, worker presence, payment → reserved latency,
 * status changes, reservations, ledger conflicts and database latency. Callers record through the small functions
 * below, so metric names and labels live in this file only.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import { orderStatusSchema, type OrderStatus } from '../domain/status';
import { registry } from './registry';

const registers = [registry];

const webhookAcks = new Counter({
  name: 'orderhub_webhook_acks_total',
  help: 'Answers of the channel events webhook, by channel and outcome (accepted 2xx, refused 4xx, failed 5xx)',
  labelNames: ['channel', 'outcome'] as const,
  registers,
});

const webhookAckSeconds = new Histogram({
  name: 'orderhub_webhook_ack_seconds',
  help: 'Time from receiving a channel events webhook to its answer',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});

const workersPolling = new Gauge({
  name: 'orderhub_workers_polling',
  help: '1 when a worker polls the order task queue for workflow and activity tasks, 0 when none does',
  registers,
});

const paymentToReserved = new Histogram({
  name: 'orderhub_payment_to_reserved_seconds',
  help: 'Time from an order being paid to its stock being reserved (INV-1 promises 30 s)',
  buckets: [0.25, 0.5, 1, 2, 5, 10, 20, 30, 45, 60, 90, 120],
  registers,
});

const statusChanges = new Counter({
  name: 'orderhub_order_status_changes_total',
  help: 'Orders entering each lifecycle status',
  labelNames: ['status'] as const,
  registers,
});

const reservations = new Counter({
  name: 'orderhub_reservations_total',
  help: 'Stock reservations by outcome: applied, refused (not enough stock or already settled), already (a retry of an applied one)',
  labelNames: ['outcome'] as const,
  registers,
});

const ledgerConflicts = new Counter({
  name: 'orderhub_ledger_conflicts_total',
  help: 'Ledger appends that collided with another writer on the unique sequence index and were retried',
  registers,
});

const dbOperationSeconds = new Histogram({
  name: 'orderhub_db_operation_seconds',
  help: 'Database command latency as the MongoDB driver measured it, by command name',
  labelNames: ['command'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers,
});

const deliveryAttempts = new Counter({
  name: 'orderhub_delivery_attempts_total',
  help: 'Calls to partners by partner kind and outcome: delivered, retry (429, THROTTLED, 5xx, timeout), refused (for good), deferred (not called: the partner asked to wait or is at its in-flight limit)',
  labelNames: ['partner', 'outcome'] as const,
  registers,
});
const deliverySeconds = new Histogram({
  name: 'orderhub_delivery_call_seconds',
  help: 'Time one partner call took, by partner kind',
  labelNames: ['partner'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
  registers,
});

const escalationNoticeLag = new Histogram({
  name: 'orderhub_escalation_notice_lag_seconds',
  help: 'ES-6: time from an escalation level falling due to its notice being acknowledged by the channel that carries it',
  labelNames: ['level'] as const,
  buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
  registers,
});

/** How a webhook was answered: accepted (2xx), refused (4xx: signature, validation, rate limit) or failed (5xx). */
export type WebhookOutcome = 'accepted' | 'refused' | 'failed';

/** How a reservation ended: applied, refused, or already applied by an earlier attempt. */
export type ReservationOutcome = 'applied' | 'refused' | 'already';

// Known label values start at 0, so rate() and absent series mean something from the first scrape on.
for (const outcome of ['applied', 'refused', 'already'] satisfies ReservationOutcome[]) reservations.inc({ outcome }, 0);
for (const status of orderStatusSchema.options) statusChanges.inc({ status }, 0);

/** Records one answer of the events webhook and how long it took. */
export function observeWebhookAck(channel: string, outcome: WebhookOutcome, seconds: number): void {
  webhookAcks.inc({ channel, outcome });
  webhookAckSeconds.observe(seconds);
}

/** Records whether workers poll the order task queue. */
export function setWorkersPolling(polling: boolean): void {
  workersPolling.set(polling ? 1 : 0);
}

/** Records the time from an order's payment to its reservation. */
export function observePaymentToReserved(seconds: number): void {
  paymentToReserved.observe(seconds);
}

/** Counts an order entering a status. */
export function countStatusChange(status: OrderStatus): void {
  statusChanges.inc({ status });
}

/** Counts one reservation by its outcome. */
export function countReservation(outcome: ReservationOutcome): void {
  reservations.inc({ outcome });
}

/** Counts a ledger append that lost a race on the unique index and was retried. */
export function countLedgerConflict(): void {
  ledgerConflicts.inc();
}

/** Records the latency of one database command. */
export function observeDbOperation(command: string, seconds: number): void {
  dbOperationSeconds.observe({ command }, seconds);
}

/** How one delivery attempt ended. */
export type DeliveryAttemptOutcome = 'delivered' | 'retry' | 'refused' | 'deferred';

/** Records one delivery attempt to a partner of a kind, and how long the call took (none when it was deferred). */
export function countDeliveryAttempt(partner: string, outcome: DeliveryAttemptOutcome, seconds?: number): void {
  deliveryAttempts.inc({ partner, outcome });
  if (seconds !== undefined) deliverySeconds.observe({ partner }, seconds);
}

/** Records how long after its level fell due an escalation notice left the hub (ES-6 asks for at most 2 minutes). */
export function observeEscalationNoticeLag(level: string, seconds: number): void {
  escalationNoticeLag.observe({ level }, seconds);
}
