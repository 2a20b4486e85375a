/** One order's run: its view, what callers asked for, and the primitives every room of the workflow shares. */
import { condition, patched, workflowInfo } from '@temporalio/workflow';
import type { CancelRequest, HoldReview, OrderEvent } from '../../domain/orderEvents';
import type { AuditChange, AuditEntry, OrderView } from '../../domain/orderView';
import { shippedStatuses } from '../../domain/lifecycle';
import { activities, localActivities, type StepProxies } from './proxies';
import { OrderCancelled, refuse } from './failures';
import { Fulfilment } from './fulfilment';
import { Mutex } from './mutex';
import { publish, publishChanges, type PublishedAttributes } from './searchAttributes';
import { initialView, nowIso } from './state';

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
  readonly fulfilment: Fulfilment;
  /** The proxies this run calls its steps through: local activities in the lean design. */
  readonly steps: StepProxies;
  private readonly seenEvents = new Set<string>();
  private auditSeq = 0;
  private recordsInFlight = 0;
  private readonly recording = new Mutex();
  /** Lean design: audit entries noted since the last flush. */
  private readonly pending: AuditEntry[] = [];
  /** Lean design: each view field as last written to the read model (JSON), so a flush carries only what changed. */
  private readonly written = new Map<string, string>();
  /** Lean design: search attributes as last published, so only changes are upserted. */
  private readonly published: PublishedAttributes;

  /**
   * @param lean orders started with their first event follow the lean design: local activities, records written at
   *   milestones with what changed, search attributes upserted when they change. Orders started before keep theirs.
   */
  constructor(
    readonly orderId: string,
    readonly lean: boolean,
  ) {
    this.steps = lean ? localActivities : activities;
    this.fulfilment = new Fulfilment(
      () => this.current(),
      (change) => this.record(change),
      this.steps,
    );
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
      if (!view || this.pending.length === 0) return;
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

  /** Audit entries noted since the last flush (lean design), oldest first. */
  unwrittenAudit(): AuditEntry[] {
    return [...this.pending];
  }

  /** Lean design: before the workflow blocks, what changed is written down and shown in the Web UI. */
  async pause(): Promise<void> {
    await this.flush();
    if (this.view) publishChanges(this.view, this.published);
  }

  /** Waits until a state is reached and written down, so an update's answer matches the audit trail. */
  settled(predicate: () => boolean): Promise<void> {
    return condition(() => predicate() && this.recordsInFlight === 0 && this.pending.length === 0);
  }

  /** Waits for a predicate, at most `timeoutSeconds`; a cancellation request interrupts any wait. */
  async waitFor(predicate: () => boolean, timeoutSeconds?: number): Promise<boolean> {
    const done = () => predicate() || this.cancelRequest !== undefined;
    if (this.lean && !done()) await this.pause();
    const ok = timeoutSeconds === undefined ? (await condition(done), true) : await condition(done, timeoutSeconds * 1000);
    if (this.cancelRequest) throw new OrderCancelled();
    return ok;
  }

  /** Stops the lifecycle with a cancellation the workflow decided itself (timeout, stock, review). */
  cancel(intent: CancelIntent): never {
    this.cancelRequest = intent;
    throw new OrderCancelled();
  }
}
