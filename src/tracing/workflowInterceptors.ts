/**
 * Runs in the workflow sandbox, in every bundle whether the process traces or not: hands the trace context the
 * workflow was started with (the API's StartWorkflow span) to every activity, child workflow and continue-as-new
 * it schedules, so their spans join the trace of the request that started the order.
 *
 * It creates no span and adds no await: the workflow's commands, and the order its code and handlers run in, are
 * exactly those without it, so every history replays with or without it. The package's own workflow interceptors
 * await around each activity; with them, a recorded history (supplier-rejected-held-delivered) failed to replay.
 */
import type { Headers, WorkflowInterceptors } from '@temporalio/workflow';

/** The header the OpenTelemetry client and activity interceptors carry the W3C trace context in (their TRACE_HEADER). */
export const TRACE_HEADER = '_tracer-data';

/** The workflow interceptors: one pair per workflow execution, sharing the trace context it started with. */
export const interceptors = (): WorkflowInterceptors => {
  let started: Headers[string] | undefined;
  const carry = <T extends { headers: Headers }>(input: T): T =>
    started && !input.headers[TRACE_HEADER] ? { ...input, headers: { ...input.headers, [TRACE_HEADER]: started } } : input;
  return {
    inbound: [
      {
        execute(input, next) {
          started = input.headers[TRACE_HEADER];
          return next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => next(carry(input)),
        scheduleLocalActivity: (input, next) => next(carry(input)),
        startChildWorkflowExecution: (input, next) => next(carry(input)),
        continueAsNew: (input, next) => next(carry(input)),
      },
    ],
  };
};
