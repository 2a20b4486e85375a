/**
 * What falls due when (ES-1…ES-5, FS-2, FS-3): the pure rule a workflow sets its escalation timers from. No zod, no
 * clock: the order workflow imports it without loading a schema library, and every instant comes from the caller.
 */
import type { AttentionReason, EscalationPolicy, Recipient } from './escalation';

/** The levels, in the order they are listed when two fall due at once. */
export const escalationLevelIds = ['ES-1', 'ES-2', 'ES-3', 'ES-4', 'ES-5', 'ES-5b', 'FS-2', 'FS-3'] as const;
/** A level's id, as requirements, audit trail and notices name it. */
export type EscalationLevelId = (typeof escalationLevelIds)[number];

/** The EscalationLevel search attribute: 0 when not escalated, else the highest of ES-1…ES-4 fired. */
export type EscalationLevel = 0 | 1 | 2 | 3 | 4;

/** The stages an order (before routing) or a shipment (after) passes, as far as escalation cares. */
export const escalationStages = ['awaitingAssignment', 'assignedNotStarted', 'inProgress', 'packedNotShipped', 'shipped', 'done'] as const;
/** An escalation stage. */
export type EscalationStage = (typeof escalationStages)[number];

/** The plain facts the deadlines are computed from; the caller supplies every instant, so the result is deterministic. */
export interface EscalationState {
  stage: EscalationStage;
  /** When the stage was entered. */
  since: string;
  /** The last status change or progress report (a new tracking event once shipped); `since` when there was none. */
  lastChangeAt: string;
  hasTracking: boolean;
  /** Once shipped: the channel confirmed the tracking write-back (FS-2 is then settled). */
  writeBackConfirmed?: boolean;
  /** The carrier delivered it (FS-3, a silent trail, is then settled; FS-2 still waits for the write-back). */
  delivered?: boolean;
  /** Levels already fired and not re-armed since; they are not due again. */
  firedLevels: EscalationLevelId[];
}

const policyKeys = {
  'ES-1': 'es1',
  'ES-2': 'es2',
  'ES-3': 'es3',
  'ES-4': 'es4',
  'ES-5': 'es5',
  'ES-5b': 'es5b',
  'FS-2': 'fs2',
  'FS-3': 'fs3',
} as const satisfies Record<EscalationLevelId, keyof EscalationPolicy>;
const levelNumbers: Record<EscalationLevelId, EscalationLevel> = {
  'ES-1': 1,
  'ES-2': 2,
  'ES-3': 3,
  'ES-4': 4,
  'ES-5': 0,
  'ES-5b': 0,
  'FS-2': 0,
  'FS-3': 0,
};
const attentionReasons: Partial<Record<EscalationLevelId, AttentionReason>> = {
  'ES-5b': 'STUCK_MANUAL_REVIEW',
  'FS-2': 'WRITE_BACK_LATE',
  'FS-3': 'TRACKING_SILENT',
};

/** The EscalationLevel number of an order or shipment: the highest of ES-1…ES-4 among the levels fired. */
export function escalationLevelOf(firedLevels: readonly EscalationLevelId[]): EscalationLevel {
  return firedLevels.reduce<EscalationLevel>((highest, level) => Math.max(highest, levelNumbers[level]) as EscalationLevel, 0);
}

/** What the hub does when a level falls due. */
export interface EscalationAction {
  notify: Recipient[];
  /** The EscalationLevel number this level raises the order to; 0 leaves it alone. */
  escalationLevel: EscalationLevel;
  /** ES-3: stop dispatching to the warehouse or supplier. */
  pauseDispatch: boolean;
  /** ES-4: freeze payouts to the supplier or warehouse partner. */
  freezePayouts: boolean;
  /** Set NeedsAttention with this reason; null for levels that only notify or act. */
  attention: AttentionReason | null;
}

/** A level not yet fired and when it falls due. */
export interface EscalationDeadline {
  level: EscalationLevelId;
  dueAt: string;
  action: EscalationAction;
}

interface Watch {
  level: EscalationLevelId;
  /** The instant the wait counts from: stage entry, or the last change for waits that progress resets. */
  from: 'since' | 'lastChangeAt';
  /** A fact that settles the level. */
  unless?: 'hasTracking' | 'writeBackConfirmed' | 'delivered';
}

// ES-5 runs from dispatch until shipped and only while no tracking number exists.
const selfHealing: Watch[] = [
  { level: 'ES-5', from: 'lastChangeAt', unless: 'hasTracking' },
  { level: 'ES-5b', from: 'lastChangeAt', unless: 'hasTracking' },
];
/** Which levels watch each stage, and from when each counts. */
const watches: Record<EscalationStage, readonly Watch[]> = {
  awaitingAssignment: [{ level: 'ES-1', from: 'since' }],
  assignedNotStarted: [{ level: 'ES-2', from: 'since' }, ...selfHealing],
  inProgress: [{ level: 'ES-3', from: 'lastChangeAt' }, ...selfHealing],
  packedNotShipped: [{ level: 'ES-4', from: 'since' }, ...selfHealing],
  shipped: [
    { level: 'FS-2', from: 'since', unless: 'writeBackConfirmed' },
    { level: 'FS-3', from: 'lastChangeAt', unless: 'delivered' },
  ],
  done: [],
};
/** Levels whose wait restarts at every change, so a change re-arms them once they fired. */
const rearmedByChange = new Set(
  Object.values(watches).flatMap((list) => list.filter((w) => w.from === 'lastChangeAt').map((w) => w.level)),
);

/** The levels of the state's stage not yet fired, each with its due instant and action, earliest first. Reads no clock. */
export function nextDeadlines(state: EscalationState, policy: EscalationPolicy): EscalationDeadline[] {
  const fired = new Set(state.firedLevels);
  const order: readonly string[] = escalationLevelIds;
  return watches[state.stage]
    .filter((watch) => !fired.has(watch.level) && policy[policyKeys[watch.level]].enabled && !(watch.unless && state[watch.unless]))
    .map((watch) => ({
      level: watch.level,
      dueAt: addSeconds(state[watch.from], policy[policyKeys[watch.level]].after),
      action: actionOf(watch.level, policy),
    }))
    .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt) || order.indexOf(a.level) - order.indexOf(b.level));
}

function actionOf(level: EscalationLevelId, policy: EscalationPolicy): EscalationAction {
  return {
    notify: policy[policyKeys[level]].notify,
    escalationLevel: levelNumbers[level],
    pauseDispatch: level === 'ES-3' && policy.es3.pause,
    freezePayouts: level === 'ES-4' && policy.es4.freezePayouts,
    attention: attentionReasons[level] ?? null,
  };
}

function addSeconds(instant: string, seconds: number): string {
  const at = Date.parse(instant);
  if (Number.isNaN(at)) throw new RangeError(`not an instant: ${instant}`);
  return new Date(at + seconds * 1000).toISOString();
}

/** The state after a move to another stage at `at`: waits start over, nothing counts as fired, tracking facts stay. */
export function enterStage(state: EscalationState | undefined, stage: EscalationStage, at: string): EscalationState {
  return {
    stage,
    since: at,
    lastChangeAt: at,
    hasTracking: state?.hasTracking ?? false,
    ...(state?.writeBackConfirmed === undefined ? {} : { writeBackConfirmed: state.writeBackConfirmed }),
    firedLevels: [],
  };
}

/** The state after a status change or progress report within the stage: waits that count from the last change re-arm. */
export function recordChange(state: EscalationState, at: string): EscalationState {
  return { ...state, lastChangeAt: at, firedLevels: state.firedLevels.filter((level) => !rearmedByChange.has(level)) };
}

/** True for the levels whose wait restarts at every change (a fired one is due again after the next change). */
export function countsFromLastChange(level: EscalationLevelId): boolean {
  return rearmedByChange.has(level);
}
