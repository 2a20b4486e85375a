/**
 * An update Temporal aborted because the workflow task carrying it failed (FAILED_PRECONDITION, "unexpected workflow
 * task failure"). Seen when a cancellation or review closes an order: an event arriving while the worker completes the
 * closing task (an activity's result, say) makes the server refuse that completion and hand the worker a new task.
 * Sending the update again under the same id is safe: an update the workflow had not accepted is applied once, and one
 * it had accepted is answered with its outcome.
 */
import { grpcStatusOf } from './errors';

/** gRPC FAILED_PRECONDITION. */
const FAILED_PRECONDITION = 9;

/** How often an aborted update is sent again, and how long to wait between tries. */
const ATTEMPTS = 3;
const PAUSE_MS = 200;

/** True for an update aborted with the workflow task that carried it. */
export function isAbortedWithWorkflowTask(error: unknown): boolean {
  const status = grpcStatusOf(error);
  return status?.code === FAILED_PRECONDITION && /workflow task failure/i.test(status.details);
}

/** Sends an update, again when Temporal aborted it with its workflow task (at most ATTEMPTS tries). */
export async function sendUpdate<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= ATTEMPTS || !isAbortedWithWorkflowTask(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS * attempt));
    }
  }
}
