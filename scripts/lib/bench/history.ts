/**
 * Billable Temporal actions and history size of one workflow, counted from its real event history by
 * Temporal's billing rules (https://docs.temporal.io/cloud/actions): what a Temporal Cloud bill would say.
 */
import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
const { EventType } = temporal.api.enums.v1;

/** Actions of one history, by kind, with its size. */
export interface HistoryCost {
  /** Billable actions, all kinds together. */
  actions: number;
  /** Actions by kind (workflow start, activity attempts, local activity groups, timers, signals, updates, upserts, …). */
  byKind: Record<string, number>;
  events: number;
  /** Size of the encoded History protobuf, in bytes. */
  bytes: number;
  /** Activity tasks scheduled, by activity type (each counts its attempts in `byKind.activity`). */
  activities: Record<string, number>;
  /** Local activity results recorded (markers), however many workflow tasks they were billed in. */
  localActivities: number;
}

/** The marker name the SDK core records for a local activity result. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/**
 * Counts one history. Rules: workflow started 1; each activity attempt 1 (the attempt number of the
 * ActivityTaskStarted event that ended it, 1 for a scheduled activity never started); local activities
 * recorded by one workflow task together 1; timer started 1; signal received 1; update accepted 1;
 * search-attribute upsert 1; child workflow started 2; signal or cancel sent to another workflow 1;
 * workflow properties or options modified 1. Queries leave no event and are not counted.
 */
export function historyCost(history: History): HistoryCost {
  const byKind: Record<string, number> = {};
  const activities: Record<string, number> = {};
  const add = (kind: string, n = 1) => {
    byKind[kind] = (byKind[kind] ?? 0) + n;
  };
  const scheduled = new Map<string, string>(); // scheduled event id → activity type
  const attempts = new Map<string, number>(); // scheduled event id → attempts started
  const localActivityTasks = new Set<string>(); // workflow task completed event ids that recorded a local activity
  let localActivities = 0;
  for (const event of history.events ?? []) {
    const id = String(event.eventId ?? '');
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        add('workflowStarted');
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        const type = event.activityTaskScheduledEventAttributes?.activityType?.name ?? 'unknown';
        scheduled.set(id, type);
        activities[type] = (activities[type] ?? 0) + 1;
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const attrs = event.activityTaskStartedEventAttributes;
        attempts.set(String(attrs?.scheduledEventId ?? ''), attrs?.attempt ?? 1);
        break;
      }
      case EventType.EVENT_TYPE_MARKER_RECORDED: {
        const attrs = event.markerRecordedEventAttributes;
        if (attrs?.markerName === LOCAL_ACTIVITY_MARKER) {
          localActivities += 1;
          localActivityTasks.add(String(attrs.workflowTaskCompletedEventId ?? id));
        }
        break;
      }
      case EventType.EVENT_TYPE_TIMER_STARTED:
        add('timer');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        add('signal');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        add('update');
        break;
      case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        add('upsertSearchAttributes');
        break;
      case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        add('childWorkflow', 2);
        break;
      case EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
        add('signalSent');
        break;
      case EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
        add('cancelSent');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED:
        add('propertiesModified');
        break;
      default:
        break;
    }
  }
  for (const scheduledId of scheduled.keys()) add('activity', Math.max(1, attempts.get(scheduledId) ?? 1));
  if (localActivityTasks.size > 0) add('localActivityTasks', localActivityTasks.size);
  const actions = Object.values(byKind).reduce((sum, n) => sum + n, 0);
  return {
    actions,
    byKind,
    events: history.events?.length ?? 0,
    bytes: temporal.api.history.v1.History.encode(history).finish().length,
    activities,
    localActivities,
  };
}

/** Mean, min and max of some histories' costs. */
export interface CostSummary {
  histories: number;
  actionsMean: number;
  actionsMin: number;
  actionsMax: number;
  eventsMean: number;
  bytesMean: number;
  bytesMax: number;
  /** Mean actions per history by kind. */
  byKindMean: Record<string, number>;
  /** Mean activity tasks per history by activity type. */
  activitiesMean: Record<string, number>;
  /** Mean local activity results per history. */
  localActivitiesMean: number;
}

/** Summarises some histories' costs; undefined when there are none. */
export function summariseCosts(costs: HistoryCost[]): CostSummary | undefined {
  if (costs.length === 0) return undefined;
  const mean = (pick: (c: HistoryCost) => number) => costs.reduce((sum, c) => sum + pick(c), 0) / costs.length;
  const meanOf = (pick: (c: HistoryCost) => Record<string, number>) => {
    const keys = [...new Set(costs.flatMap((c) => Object.keys(pick(c))))].sort();
    return Object.fromEntries(
      keys.map((k) => [
        k,
        round(
          mean((c) => pick(c)[k] ?? 0),
          2,
        ),
      ]),
    );
  };
  return {
    histories: costs.length,
    actionsMean: round(
      mean((c) => c.actions),
      2,
    ),
    actionsMin: Math.min(...costs.map((c) => c.actions)),
    actionsMax: Math.max(...costs.map((c) => c.actions)),
    eventsMean: round(
      mean((c) => c.events),
      1,
    ),
    bytesMean: Math.round(mean((c) => c.bytes)),
    bytesMax: Math.max(...costs.map((c) => c.bytes)),
    byKindMean: meanOf((c) => c.byKind),
    activitiesMean: meanOf((c) => c.activities),
    localActivitiesMean: round(
      mean((c) => c.localActivities),
      2,
    ),
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
