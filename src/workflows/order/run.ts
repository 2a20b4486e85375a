/** One order's run: its view, what callers asked for, and the primitives every room of the workflow shares. */
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  makeContinueAsNewFunc,
  patched,
  sleep,
  TemporalFailure,
  workflowInfo,
} from '@temporalio/workflow';
import type { DeliveryOutcome } from '../../domain/delivery';
import type { CancelRequest, DeliveryDecision, HoldReview, OrderEvent } from '../../domain/orderEvents';
import type { Attention, AuditChange, AuditEntry, OrderView } from '../../domain/orderView';
import type { OrderPolicy } from '../../domain/policy';
import { returnWorkflowId } from '../../domain/ids';
import { shippedStatuses } from '../../domain/lifecycle';
import { replacementShipped } from '../returns/messages';
import { activities, compensations, deliveryProxies, firstDeliveryAttempt, localActivities, type StepProxies } from './proxies';
import { OrderCancelled, refuse } from './failures';
import { historyFull, RecentIds, type ContinuedStage, type OrderContinuation } from './continuation';
import { EscalationWatcher } from './escalation';
import { OrderReturns } from './returns';
import { Fulfilment } from './fulfilment';
import { Mutex } from './mutex';
import { publish, publishChanges, type PublishedAttributes } from './searchAttributes';
import { initialView, nowIso, systemActor } from './state';
import type { OrderDesign, orderWorkflow } from './workflow';

/** A cancellation the lifecycle must carry out, from a caller or from the workflow itself. */
export type CancelIntent = Omit<CancelRequest, 'by'> & { by: CancelRequest['by'] | 'system' };

/** One order's run: its view, what callers asked for, and the audit-recording every room uses. */
export class OrderRun {
  /** The order as it stands; undefined until its snapshot arrives. */
  view: OrderView | undefined;
  /** A cancellation asked for and not yet carried out. */
  cancelRequest: CancelIntent | undefined;
  /** A reviewer's decision waiting to be applied to a hold. */
  review: HoldReview | undefined;
  /** A payment notice, possibly received before the order itself. */
  paidNotice: { paidAt?: string; amount?: number } | undefined;
  /** Address changes applied so far: numbers each change for its idempotency key. */
  addressChanges = 0;
  /** The order policy in force, read once when the order was received. */
  policy: OrderPolicy | undefined;
  /** Ids of the warehouse, supplier and carrier reports applied, so a retried report is taken once (across runs too). */
  readonly reports = new RecentIds();
  readonly fulfilment: Fulfilment;
  /** The proxies this run calls its steps through: local activities in the lean design. */
  readonly steps: StepProxies;
  /** The proxies messages to partners go through: the delivery task queue from the third design on, else the steps'. */
  readonly partners: StepProxies;
  /** The escalation watcher (fourth design): re-timed in line with each written change and each report. */
  readonly watcher: EscalationWatcher | undefined;
  /** The returns room (fifth design): each return a workflow of its own that the order hears from. */
  readonly returns: OrderReturns | undefined;
  /** The order workflow's id, which its returns signal (it outlives any one run). */
  readonly workflowId = workflowInfo().workflowId;
  /** Operations' decisions on refused deliveries, by delivery key, until the waiting delivery takes them. */
  readonly deliveryDecisions = new Map<string, DeliveryDecision>();
  private alertsRaised = 0;
  private readonly seenEvents = new RecentIds();
  private auditSeq = 0;
  private recordsInFlight = 0;
  /** Messages sent beside the lifecycle and not yet delivered (alerts, notices): a run must not end before they land. */
  private inBackground = 0;
  private readonly recording = new Mutex();
  /** Lean design: audit entries noted since the last flush. */
  private readonly pending: AuditEntry[] = [];
  /** Lean design: each view field as last written to the read model (JSON), so a flush carries only what changed. */
  private readonly written = new Map<string, string>();
  /** Lean design: search attributes as last published, so only changes are upserted. */
  private readonly published: PublishedAttributes;

  /** Third design: partner messages are delivered on the delivery task queue, a refusal goes to a person. */
  readonly delivers: boolean;
  /** Fourth design: the escalation watcher runs beside the lifecycle (and takes over FS-2). */
  readonly watches: boolean;
  /** Sixth design: an arriving order is read in one local activity, and each milestone is written down once. */
  readonly compact: boolean;
  /** Seventh design: an order's allocation routes and reserves in one local activity. */
  readonly allocates: boolean;

  /**
   * @param design the workflow design the order started with (see OrderWorkflowInput), kept by its continued runs.
   * @param lean orders started with their first event follow the lean design: local activities, records written at
   *   milestones with what changed, search attributes upserted when they change. Orders started before keep theirs.
   */
  constructor(
    readonly orderId: string,
    readonly design: OrderDesign | undefined,
    readonly lean: boolean,
  ) {
    this.delivers = (design ?? 0) >= 3;
    this.watches = (design ?? 0) >= 4;
    this.compact = (design ?? 0) >= 6;
    this.allocates = (design ?? 0) >= 7;
    this.steps = lean ? localActivities : activities;
    this.partners = this.delivers ? deliveryProxies(workflowInfo().taskQueue) : this.steps;
    this.fulfilment = new Fulfilment(this);
    this.watcher = this.watches ? new EscalationWatcher(this) : undefined;
    this.returns = (design ?? 0) >= 5 ? new OrderReturns(this) : undefined;
    this.published = new Map(
      workflowInfo()
        .typedSearchAttributes.getAll()
        .map((pair) => [pair.key.name, JSON.stringify(pair.value)]),
    );
  }

  /** The order; refuses when only a payment notice has arrived. */
  current(): OrderView {
    if (!this.view) refuse('ORDER_NOT_RECEIVED', 'the order has not been received yet');
    return this.view;
  }

  /** True once any parcel has left. */
  isShipped(): boolean {
    return !!this.view && (shippedStatuses.includes(this.view.status) || this.view.shipments.some((s) => s.shippedAt));
  }

  /** True once the order is cancelled or completed. */
  isClosed(): boolean {
    return !!this.view && (this.view.status === 'CANCELLED' || this.view.status === 'COMPLETED');
  }

  /** Applies a channel event once per event id (IN-4: repeats and out-of-order events converge). */
  applyEvent(event: OrderEvent): void {
    if (this.seenEvents.has(event.eventId)) return;
    this.seenEvents.add(event.eventId);
    if (event.type === 'paid') this.paidNotice ??= { paidAt: event.paidAt, amount: event.amount };
    else if (!this.view) this.view = initialView(this.orderId, event.order);
    else if (event.order.paymentStatus === 'paid') this.paidNotice ??= { paidAt: event.order.paidAt };
    // Payment only moves forward: a late "created" snapshot never undoes it.
    const view = this.view;
    if (view && this.paidNotice && view.order.paymentStatus !== 'paid') {
      view.order = { ...view.order, paymentStatus: 'paid', paidAt: this.paidNotice.paidAt };
    }
  }

  /** The amount a payment notice reported when it differs from what the order says was paid. */
  paidAmountMismatch(): number | undefined {
    const reported = this.paidNotice?.amount;
    return reported !== undefined && reported !== this.current().order.amounts.paid ? reported : undefined;
  }

  /**
   * Appends to the audit trail and mirrors the view into the read model, in one idempotent activity. Records
   * run one at a time, so an older mirror can never land after a newer one (added behind a patch: histories
   * recorded before it may hold overlapping records).
   */
  async record(change: AuditChange): Promise<void> {
    const view = this.view;
    if (!view) return;
    view.version += 1;
    this.auditSeq += 1;
    const audit = { ...change, seq: this.auditSeq, at: nowIso() };
    // The lean design notes the change here and writes it at the next milestone (flush).
    if (this.lean) return void this.pending.push(audit);
    publish(view);
    const send = () => activities.recordOrderChange({ view, audit });
    this.recordsInFlight += 1;
    try {
      await (patched('serialise-order-records') ? this.recording.run(send) : send());
    } finally {
      this.recordsInFlight -= 1;
    }
  }

  /**
   * Lean design: writes the audit entries noted since the last flush and the view fields that changed, in one
   * local activity; flushes run one at a time, so an older write never lands after a newer one.
   */
  flush(): Promise<void> {
    return this.recording.run(async () => {
      const view = this.view;
      // From the fourth design on every flush writes, even with nothing new: how many local activities an order
      // records must not depend on how a live run interleaved its coroutines, or a replay would not find them all.
      if (!view || (this.pending.length === 0 && !this.watches)) return;
      const entries = this.pending.splice(0);
      const changes: Partial<OrderView> = {};
      for (const [field, value] of Object.entries(view) as Array<[keyof OrderView, unknown]>) {
        const json = JSON.stringify(value);
        if (this.written.get(field) === json) continue;
        this.written.set(field, json);
        Object.assign(changes, { [field]: value });
      }
      this.recordsInFlight += 1;
      try {
        await localActivities.recordOrderChanges({
          orderId: view.orderId,
          version: view.version,
          entries,
          changes,
          paidAt: view.order.paidAt,
        });
      } finally {
        this.recordsInFlight -= 1;
      }
    });
  }

  /** True when audit entries were noted and not yet written (lean design). */
  hasUnwritten(): boolean {
    return this.pending.length > 0;
  }

  /** Tells a return its replacement shipped (an exchange). */
  async signalReturn(returnId: string, shipment: { shipmentId: string; carrier: string; trackingNumber: string }): Promise<void> {
    await getExternalWorkflowHandle(returnWorkflowId(this.orderId, returnId)).signal(replacementShipped, shipment);
  }

  /** Audit entries noted since the last flush (lean design), oldest first. */
  unwrittenAudit(): AuditEntry[] {
    return [...this.pending];
  }

  /** Lean design: before the workflow blocks, what changed is written down and shown in the Web UI. */
  async pause(): Promise<void> {
    await this.flush();
    if (this.view) publishChanges(this.view, this.published);
    // The lifecycle's pauses re-time the watcher; the watcher's own (firing) do not.
    this.watcher?.retime();
  }

  /** Shows what changed in the Web UI without writing it down yet (the watcher's timer: no local activity there). */
  publishNow(): void {
    if (this.view) publishChanges(this.view, this.published);
  }

  /** Waits until a state is reached and written down, so an update's answer matches the audit trail. */
  settled(predicate: () => boolean): Promise<void> {
    return condition(() => predicate() && this.recordsInFlight === 0 && this.pending.length === 0);
  }

  /**
   * Waits for a predicate, at most `timeoutSeconds`; a cancellation request interrupts any wait. `written`: the caller
   * has just paused, so there is nothing new to write down first.
   */
  async waitFor(predicate: () => boolean, timeoutSeconds?: number, written = false): Promise<boolean> {
    const done = () => predicate() || this.cancelRequest !== undefined;
    if (this.lean && !written && !done()) await this.pause();
    const ok = timeoutSeconds === undefined ? (await condition(done), true) : await condition(done, timeoutSeconds * 1000);
    if (this.cancelRequest) throw new OrderCancelled();
    return ok;
  }

  /**
   * Waits like waitFor in one of the long stages; from the fourth design on, a history grown past its bound continues
   * as new there, at the first quiet moment (see continuation.ts). False when the wait timed out.
   */
  async waitOrContinue(stage: ContinuedStage, predicate: () => boolean, timeoutSeconds?: number, written = false): Promise<boolean> {
    if (!this.watches) return this.waitFor(predicate, timeoutSeconds, written);
    const endsAt = timeoutSeconds === undefined ? undefined : Date.now() + timeoutSeconds * 1000;
    for (let first = true; ; first = false) {
      const left = endsAt === undefined ? undefined : (endsAt - Date.now()) / 1000;
      if (left !== undefined && left <= 0) return predicate();
      const woken = await this.waitFor(() => predicate() || this.mayContinueAsNew(), left, written && first);
      if (predicate() || !woken) return predicate();
      await this.continueAsNew(stage);
    }
  }

  /** Sends a message beside the lifecycle (not awaited), counted until it is delivered. */
  background(sending: Promise<unknown>): void {
    this.inBackground += 1;
    void sending.finally(() => (this.inBackground -= 1));
  }

  /** Takes over from the run this one continues: the order, its dedupe ids and counters. */
  resume(continued: OrderContinuation): OrderPolicy {
    this.view = continued.view;
    this.policy = continued.policy;
    this.paidNotice = continued.paidNotice;
    this.auditSeq = continued.auditSeq;
    this.addressChanges = continued.addressChanges;
    this.alertsRaised = continued.alertsRaised;
    for (const id of continued.seenEvents) this.seenEvents.add(id);
    for (const id of continued.reports) this.reports.add(id);
    this.pending.push(...continued.unwritten);
    this.fulfilment.resume(continued.round);
    return continued.policy;
  }

  /** True when the history is full and nothing is under way that the next run could not pick up from the view. */
  private mayContinueAsNew(): boolean {
    return (
      historyFull() &&
      allHandlersFinished() &&
      this.recordsInFlight === 0 &&
      this.inBackground === 0 &&
      this.deliveryDecisions.size === 0 &&
      !this.fulfilment.moving &&
      (this.watcher?.idle() ?? true) &&
      (this.returns?.idle() ?? true)
    );
  }

  private async continueAsNew(stage: ContinuedStage): Promise<never> {
    const info = workflowInfo();
    const continued: OrderContinuation = {
      stage,
      view: this.current(),
      policy: this.policy!,
      seenEvents: this.seenEvents.list(),
      reports: this.reports.list(),
      unwritten: this.pending,
      ...(this.paidNotice ? { paidNotice: this.paidNotice } : {}),
      auditSeq: this.auditSeq,
      addressChanges: this.addressChanges,
      alertsRaised: this.alertsRaised,
      round: this.fulfilment.round,
      previousRunId: info.runId,
    };
    // The search attributes go along explicitly, so the Web UI's filters find the order's new run at once.
    const next = makeContinueAsNewFunc<typeof orderWorkflow>({ typedSearchAttributes: info.typedSearchAttributes });
    return next({ orderId: this.orderId, design: this.design, continued });
  }

  /**
   * Sends a message until its partner acknowledged it (third design): the first attempt inline (a local activity),
   * then on the delivery task queue. A refusal for good goes to a person: the order shows it (NeedsAttention, with
   * the partner's reason), operations are told, and the run waits for their decision: retry, or done by hand (then
   * the answer is undefined). `interruptible` lets a cancellation end that wait. Orders of earlier designs send
   * through their own proxies (`compensation`: the compensation ones) and take the answer as it comes: their
   * histories recorded none.
   */
  async deliver<T extends DeliveryOutcome>(
    send: (via: StepProxies) => Promise<T>,
    options: { interruptible: boolean; compensation?: boolean },
  ): Promise<Extract<T, { delivered: true }> | undefined> {
    if (!this.delivers) {
      await send(options.compensation ? compensations : this.partners);
      return undefined;
    }
    let outcome = await this.firstAttempt(send);
    for (;;) {
      if (outcome.delivered) return outcome as Extract<T, { delivered: true }>;
      if ((await this.awaitDecision(outcome, options.interruptible)) === 'done') return undefined;
      outcome = await send(this.partners);
    }
  }

  /**
   * The first attempt, inline; when it cannot settle the message there, what happened so far is written down (a
   * partner may now take hours) and the delivery continues on its task queue, after the wait the partner asked for.
   */
  private async firstAttempt<T extends DeliveryOutcome>(send: (via: StepProxies) => Promise<T>): Promise<T> {
    try {
      return await send(firstDeliveryAttempt);
    } catch (error) {
      // A local activity's failure may arrive wrapped (ActivityFailure) or as the activity's own failure.
      if (!(error instanceof TemporalFailure) || error instanceof CancelledFailure) throw error;
      await this.flush();
      const cause = error instanceof ActivityFailure ? error.cause : error;
      const wait = cause instanceof ApplicationFailure ? cause.nextRetryDelay : undefined;
      if (wait) await sleep(wait);
      return send(this.partners);
    }
  }

  /** Raises an item for a person, records it, tells operations and shows it in the Web UI. */
  async raiseAttention(item: Attention, summary: string): Promise<void> {
    const view = this.current();
    (view.attention ??= []).push(item);
    await this.record({ actor: systemActor, action: item.kind, after: item });
    this.alertsRaised += 1;
    const alert = {
      key: `ops:${item.kind}:${item.key}:${this.alertsRaised}`,
      kind: item.kind,
      orderId: this.orderId,
      summary,
      detail: { ...item },
    };
    // Not awaited: the order's own NeedsAttention is the record; an operations endpoint that is down or refuses the
    // alert must not keep the order from waiting for the decision (the deliveries log shows the alert's fate).
    this.background(this.partners.notifyOperations(alert));
    await this.pause();
  }

  /** Clears an item and records why. */
  async clearAttention(item: Attention, change: AuditChange): Promise<void> {
    const view = this.current();
    view.attention = (view.attention ?? []).filter((a) => a !== item);
    await this.record(change);
    await this.pause();
  }

  private async awaitDecision(
    refused: Extract<DeliveryOutcome, { delivered: false }>,
    interruptible: boolean,
  ): Promise<DeliveryDecision['action']> {
    const partner = `${refused.partner.kind}:${refused.partner.id}`;
    const item: Attention = { kind: 'DELIVERY_REFUSED', key: refused.key, partner, reason: refused.reason, since: nowIso() };
    await this.raiseAttention(item, `${partner} refused ${refused.key} for good: ${refused.reason}`);
    await condition(() => this.deliveryDecisions.has(refused.key) || (interruptible && this.cancelRequest !== undefined));
    const decision = this.deliveryDecisions.get(refused.key);
    this.deliveryDecisions.delete(refused.key);
    if (!decision) {
      await this.clearAttention(item, {
        actor: systemActor,
        action: 'DELIVERY_ABANDONED',
        after: { key: refused.key },
        detail: 'order cancelled',
      });
      throw new OrderCancelled();
    }
    await this.clearAttention(item, {
      actor: { kind: 'operations', id: decision.decidedBy },
      action: decision.action === 'retry' ? 'DELIVERY_RETRIED' : 'DELIVERY_DONE_BY_HAND',
      after: { key: refused.key },
      detail: decision.note,
    });
    return decision.action;
  }

  /** Stops the lifecycle with a cancellation the workflow decided itself (timeout, stock, review). */
  cancel(intent: CancelIntent): never {
    this.cancelRequest = intent;
    throw new OrderCancelled();
  }
}
