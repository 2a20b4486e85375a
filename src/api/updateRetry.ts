/**
 * An update Temporal aborted because the workflow task carrying it failed (FAILED_PRECONDITION, "unexpected workflow
 * task failure"). The usual cause is harmless: an activity finished while the worker was completing the task that
 * closes the order, so the server refused that completion and handed the worker a new task. The aborted update was
 * never applied (its task's commands were dropped), so sending it again is safe, under the same update id.
 */
import { isGrpcServiceError, ServiceError } from '@temporalio/client';

/** gRPC FAILED_PRECONDITION. */
const FAILED_PRECONDITION = 9;

/** How often an aborted update is sent again, and how long to wait between tries. */
const ATTEMPTS = 3;
const PAUSE_MS = 200;

/** True for an update aborted with the workflow task that carried it. */
export function isAbortedWithWorkflowTask(error: unknown): boolean {
  const grpc = error instanceof ServiceError ? error.cause : error;
  return isGrpcServiceError(grpc) && grpc.code === FAILED_PRECONDITION && /workflow task failure/i.test(grpc.details);
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
