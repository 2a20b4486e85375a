/**
 * Keeping an order's history bounded (fourth design): an order that waits for weeks costs a timer per level, but one
 * that receives thousands of reports grows its history by a few events each. At a quiet moment of a long stage the
 * run continues as new, carrying the order and everything deduplication needs, since Temporal's own update-id dedupe
 * ends with the run.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { AuditEntry, OrderView } from '../../domain/orderView';
import type { OrderPolicy } from '../../domain/policy';

/**
 * Events after which a run continues as new: far above any ordinary order (a happy path records about 60), far below
 * Temporal's limits (51,200 events, 50 MB), and small enough that replaying a run stays quick.
 */
export const HISTORY_EVENTS_BOUND = 2_000;

/** Report and event ids kept for deduplication: retries come within minutes, not thousands of reports later. */
const IDS_KEPT = 2_000;

/** The long stages where an order may continue as new: waiting for parcels to leave, for delivery, for returns. */
export type ContinuedStage = 'shipping' | 'delivery' | 'returnWindow';

/** What the next run of an order needs to carry on exactly where the last one stopped. */
export interface OrderContinuation {
  stage: ContinuedStage;
  view: OrderView;
  policy: OrderPolicy;
  /** Channel event ids already applied (IN-4). */
  seenEvents: string[];
  /** Report ids (Idempotency-Keys) of warehouse, supplier and carrier reports already applied. */
  reports: string[];
  /** Audit entries noted and not yet written (lean design): the next run writes them with its first change. */
  unwritten: AuditEntry[];
  paidNotice?: { paidAt?: string; amount?: number };
  auditSeq: number;
  addressChanges: number;
  alertsRaised: number;
  /** The allocation round, which numbers shipments and reservation keys. */
  round: number;
  /** The run this one continues, for the audit trail. */
  previousRunId: string;
}

/** True once this run's history has grown past its bound, or the server suggests continuing as new. */
export function historyFull(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= HISTORY_EVENTS_BOUND;
}

/** The most recent ids seen, in arrival order, forgetting the oldest beyond a bound so a continuation stays small. */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(initial: Iterable<string> = []) {
    for (const id of initial) this.add(id);
  }

  /** True when the id was seen. */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Remembers an id. */
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > IDS_KEPT) this.ids.delete(this.ids.values().next().value!);
  }

  /** The ids kept, oldest first. */
  list(): string[] {
    return [...this.ids];
  }
}
