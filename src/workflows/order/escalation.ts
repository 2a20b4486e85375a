/**
 * The escalation watcher (ES-1…ES-5, FS-2, FS-3), beside the lifecycle from the fourth design on: one durable timer for
 * the earliest level due on the order or any of its shipments, cancelled by progress (any change to the order), so a
 * stuck order is noticed by the hub, not by its customer — for days if need be, through restarts and deploys.
 */
import { CancellationScope, isCancellation, patched, sleep } from '@temporalio/workflow';
import type { EscalationSettings, ResolvedEscalationPolicy } from '../../domain/escalation';
import { resolveEscalationPolicy } from '../../domain/escalationResolve';
import { escalationNoticeKey } from '../../domain/ids';
import {
  countsFromLastChange,
  escalationLevelOf,
  nextDeadlines,
  type EscalationDeadline,
  type EscalationLevelId,
  type EscalationStage,
  type EscalationState,
} from '../../domain/escalationDeadlines';
import type { EscalationEntry, OrderView, ShipmentState } from '../../domain/orderView';
import { activities } from './proxies';
import type { OrderRun } from './run';
import { nowIso, systemActor } from './state';

type Location = NonNullable<EscalationEntry['location']>;

/** One thing that can be late: the order before routing, or one shipment after. */
interface Subject {
  subject: string;
  location?: Location;
  state: EscalationState;
}

/** A level due on a subject, with the policy version that set it. */
interface Due {
  deadline: EscalationDeadline;
  subject: Subject;
  policyVersion: number;
}

const stageOfStep: Partial<Record<ShipmentState['step'], EscalationStage>> = {
  dispatched: 'assignedNotStarted',
  accepted: 'assignedNotStarted',
  picking: 'inProgress',
  progress: 'inProgress',
  packed: 'packedNotShipped',
  shipped: 'shipped',
};

/** The levels already fired for a subject in its current stage and wait (a change re-arms the waits it restarts). */
function firedLevels(view: OrderView, subject: string, stage: EscalationStage, since: string, lastChangeAt: string): EscalationLevelId[] {
  return (view.escalations ?? [])
    .filter((e) => e.subject === subject && e.stage === stage && e.firedAt >= since)
    .filter((e) => !countsFromLastChange(e.level as EscalationLevelId) || e.firedAt >= lastChangeAt)
    .map((e) => e.level as EscalationLevelId);
}

/** What can be late now: the paid order not yet sent anywhere (ES-1), and each shipment on its way (ES-2…FS-3). */
function subjectsOf(view: OrderView): Subject[] {
  const subjects: Subject[] = [];
  const dispatched = view.shipments.filter((s) => s.step !== 'planned' && s.step !== 'rejected');
  const paidAt = view.timeline.find((t) => t.status === 'PAID')?.at;
  // A held order counts too: a person is asked to review it, and the brand's supervisor hears if nobody does (ES-1).
  if (paidAt && dispatched.length === 0 && ['PAID', 'RESERVED', 'ON_HOLD'].includes(view.status)) {
    const state = { stage: 'awaitingAssignment' as const, since: paidAt, lastChangeAt: paidAt, hasTracking: false };
    subjects.push({ subject: 'order', state: { ...state, firedLevels: firedLevels(view, 'order', state.stage, paidAt, paidAt) } });
  }
  for (const shipment of dispatched) {
    // A parcel the carrier delivered before the channel confirmed its write-back is still waited on for FS-2, counted
    // from its shipment (added after orders were running: their histories did not watch it).
    const deliveredUnconfirmed =
      shipment.step === 'delivered' && !shipment.writtenBack && shipment.shippedAt !== undefined && patched('fs2-after-delivery');
    const stage = deliveredUnconfirmed ? 'shipped' : stageOfStep[shipment.step];
    const since = deliveredUnconfirmed ? shipment.shippedAt : shipment.since;
    if (!stage || !since) continue;
    const lastChangeAt = shipment.lastChangeAt ?? since;
    subjects.push({
      subject: shipment.shipmentId,
      location: { kind: shipment.kind, id: shipment.locationId },
      state: {
        stage,
        since,
        lastChangeAt,
        hasTracking: Boolean(shipment.shippedAt),
        writeBackConfirmed: shipment.writtenBack,
        ...(deliveredUnconfirmed ? { delivered: true } : {}),
        firedLevels: firedLevels(view, shipment.shipmentId, stage, since, lastChangeAt),
      },
    });
  }
  return subjects;
}

/** The order's EscalationLevel: the highest of ES-1…ES-4 fired and not yet resolved. */
export function escalationLevelOfView(view: OrderView): number {
  return escalationLevelOf((view.escalations ?? []).filter((e) => !e.resolved).map((e) => e.level as EscalationLevelId));
}

/**
 * The watcher of one order. It re-times synchronously, inside the code that changed the order (a message handler, or
 * the moment a change was written down), never from a condition checked later: a replay may hand several local
 * activity results to the workflow at once where the live run got them one by one, and only work done in line with
 * the change that caused it comes out in the same order both times.
 */
export class EscalationWatcher {
  private readonly policies = new Map<string, ResolvedEscalationPolicy>();
  private readonly loading = new Set<string>();
  private settings: { settings: EscalationSettings; version: number } | undefined;
  private timer: { dueAt: string; scope: CancellationScope } | undefined;
  private firing = false;

  constructor(private readonly run: OrderRun) {}

  /** True when no level is firing and no policy is being read: nothing a continued run would lose. */
  idle(): boolean {
    return !this.firing && this.loading.size === 0;
  }

  /**
   * Sixth design: the escalation settings read with the arriving order; the order's and each location's policy are
   * resolved from them here, with no activity of their own, until a new version is announced.
   */
  adopt(escalation: { settings: EscalationSettings; version: number }): void {
    this.settings = escalation;
  }

  /** A new policy version was announced: every wait is computed again under it (read again, in activities). */
  policyChanged(): void {
    this.settings = undefined;
    this.policies.clear();
    this.retime();
  }

  /** Computes the earliest level due and moves the one timer there if it changed; loads a policy it does not have yet. */
  retime(): void {
    const { run } = this;
    if (!run.view || this.firing) return;
    settleAutomatically(run);
    if (run.isClosed()) return this.cancelTimer();
    const due = this.nextDue();
    if (due === 'loading') return;
    // A timer that wakes the watcher no later than the next level stays: each timer is billable, and most changes move
    // the next level later (ES-5 counts from the last report); on waking early the watcher just re-times.
    if (due && this.timer && this.timer.dueAt <= due.deadline.dueAt) return;
    this.cancelTimer();
    if (!due) return;
    const scope = new CancellationScope();
    this.timer = { dueAt: due.deadline.dueAt, scope };
    const waitMs = Math.max(1, Date.parse(due.deadline.dueAt) - Date.now());
    scope
      .run(() => sleep(waitMs))
      .then(
        () => this.onTimer(),
        (error: unknown) => {
          if (!isCancellation(error)) throw error;
        },
      );
  }

  /** The timer fired: every level due now fires, in order, then the watcher re-times. */
  private async onTimer(): Promise<void> {
    this.timer = undefined;
    this.firing = true;
    try {
      for (let due = this.nextDue(); due && due !== 'loading' && Date.parse(due.deadline.dueAt) <= Date.now(); due = this.nextDue()) {
        await fire(this.run, due);
      }
    } finally {
      this.firing = false;
    }
    this.retime();
  }

  private cancelTimer(): void {
    this.timer?.scope.cancel();
    this.timer = undefined;
  }

  /** The earliest level due over the order and its shipments, or 'loading' while a policy is being read. */
  private nextDue(): Due | undefined | 'loading' {
    const view = this.run.current();
    let due: Due | undefined;
    for (const subject of subjectsOf(view)) {
      const resolved = this.policyFor(subject.location);
      if (!resolved) return 'loading';
      const [first] = nextDeadlines(subject.state, resolved.policy);
      if (first && (!due || first.dueAt < due.deadline.dueAt)) due = { deadline: first, subject, policyVersion: resolved.version };
    }
    return due;
  }

  /** The cached policy for a location, or undefined after starting its read (a regular activity; re-times when read). */
  private policyFor(location: Location | undefined): ResolvedEscalationPolicy | undefined {
    const key = location ? `${location.kind}:${location.id}` : '';
    const cached = this.policies.get(key);
    if (cached || this.loading.has(key)) return cached;
    const { order } = this.run.current();
    const target = { brand: order.brand, channel: order.channel, ...(location ? { location } : {}) };
    if (this.settings) {
      const resolved = resolveEscalationPolicy(this.settings.settings, target, this.settings.version);
      this.policies.set(key, resolved);
      return resolved;
    }
    this.loading.add(key);
    void activities.loadEscalationPolicy(target).then((resolved) => {
      this.loading.delete(key);
      this.policies.set(key, resolved);
      this.retime();
    });
    return undefined;
  }
}

/**
 * Fires one level: records it, acts (pause, freeze, pin), tells its recipients, and shows it in the Web UI. It runs
 * on the watcher's timer, beside the lifecycle, so it uses regular activities only and writes nothing down itself:
 * the entry is noted and shown now (query, audit endpoint, search attributes) and written with the next change.
 */
async function fire(run: OrderRun, { deadline, subject, policyVersion }: Due): Promise<void> {
  const view = run.current();
  const { level, action } = deadline;
  const escalations = (view.escalations ??= []);
  const id = `${subject.subject}:${level}:${escalations.length + 1}`;
  const location = subject.location;
  const actor = `escalation ${level} of ${view.orderId}`;
  const actions: string[] = [];
  if (action.pauseDispatch && location && (await activities.pauseDispatch({ location, actor }))) actions.push('dispatch paused');
  // Added after orders were already running: histories from before froze suppliers only.
  if (action.freezePayouts && location && (location.kind === 'supplier' || patched('es4-warehouse-partner'))) {
    const reason = `${level}: ${view.orderId} ${subject.subject} packed and not shipped since ${subject.state.since}`;
    if (await activities.freezePayouts({ location, reason, actor })) actions.push('payouts frozen');
  }
  const since = countsFromLastChange(level) ? subject.state.lastChangeAt : subject.state.since;
  if (action.attention) {
    actions.push('pinned');
    (view.attention ??= []).push({
      kind: 'ESCALATION',
      key: id,
      partner: location ? `${location.kind}:${location.id}` : 'order',
      reason: `${level} ${action.attention}: late since ${since}`,
      since: nowIso(),
      code: action.attention,
    });
  }
  const entry: EscalationEntry = {
    id,
    level,
    subject: subject.subject,
    ...(location ? { location } : {}),
    stage: subject.state.stage,
    since,
    firedAt: nowIso(),
    policyVersion,
    notified: action.notify.map((r) => `${r.channel}:${r.to}`),
    actions,
  };
  escalations.push(entry);
  void run.record({
    actor: systemActor,
    action: 'ESCALATION_FIRED',
    after: entry,
    detail: `${level} under escalation policy v${policyVersion}`,
  });
  const facts = { orderId: view.orderId, level, ...(location ? { location: location.id } : {}), since, dueAt: deadline.dueAt, actions };
  action.notify.forEach((recipient, index) => {
    // Each recipient once per escalation event: the key names both, so a replay after a crash sends the same notice.
    const key = escalationNoticeKey(view.orderId, id, index);
    run.background(run.partners.notifyPerson({ key, recipient, facts, ...(location ? { location } : {}) }));
  });
  run.publishNow();
}

/** Levels settled by what happened since: a late write-back the channel then confirmed, a silent trail then delivered. */
function settleAutomatically(run: OrderRun): void {
  const view = run.current();
  for (const entry of view.escalations ?? []) {
    if (entry.resolved) continue;
    const shipment = view.shipments.find((s) => s.shipmentId === entry.subject);
    const settled = (entry.level === 'FS-2' && shipment?.writtenBack) || (entry.level === 'FS-3' && shipment?.deliveredAt);
    if (!settled) continue;
    entry.resolved = {
      by: systemActor.id,
      at: nowIso(),
      note: entry.level === 'FS-2' ? 'the channel confirmed the write-back' : 'delivered',
    };
    view.attention = (view.attention ?? []).filter((a) => a.key !== entry.id);
    // Noted now, written with the next change (the lean design's records are synchronous until flushed).
    void run.record({ actor: systemActor, action: 'ESCALATION_RESOLVED', after: { id: entry.id }, detail: entry.resolved.note });
  }
}

/** Acknowledges or resolves a fired level; resolving lifts the pause and the freeze it applied and unpins the order. */
export async function answerEscalation(
  run: OrderRun,
  answer: { id: string; action: 'acknowledge' | 'resolve'; by: string; note?: string },
): Promise<void> {
  const view = run.current();
  const entry = view.escalations!.find((e) => e.id === answer.id)!;
  const said = { by: answer.by, at: nowIso(), ...(answer.note ? { note: answer.note } : {}) };
  const actor = { kind: 'operations' as const, id: answer.by };
  if (answer.action === 'acknowledge') {
    entry.acknowledged = said;
    await run.record({ actor, action: 'ESCALATION_ACKNOWLEDGED', after: { id: entry.id }, detail: answer.note });
    return;
  }
  const location = entry.location;
  const by = `resolved by ${answer.by}`;
  if (location && entry.actions.includes('dispatch paused')) await activities.resumeDispatch({ location, actor: by });
  if (location && entry.actions.includes('payouts frozen'))
    await activities.unfreezePayouts({ location, note: answer.note ?? `${entry.level} resolved`, actor: answer.by });
  entry.resolved = said;
  view.attention = (view.attention ?? []).filter((a) => a.key !== entry.id);
  await run.record({ actor, action: 'ESCALATION_RESOLVED', after: { id: entry.id, undone: entry.actions }, detail: answer.note });
}
