/**
 * Temporal's side of tracing. The client's start/signal/update spans (`@temporalio/interceptors-opentelemetry`) put
 * the trace context in the workflow's headers, the workflow hands it on to its activities (workflowInterceptors.ts),
 * and each activity runs inside a span continued from it.
 */
import { trace } from '@opentelemetry/api';
import type { Context as ActivityContext } from '@temporalio/activity';
import type { ClientInterceptors } from '@temporalio/client';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next, WorkerInterceptors } from '@temporalio/worker';
import type { Tracing } from '.';

/**
 * The workflow interceptor module, in every bundle whether tracing is on or not, so turning tracing on or off never
 * changes workflow code. A worker bundling from source adds it itself; a prebuilt bundle needs
 * `bundleWorkflowCode({ workflowInterceptorModules: workflowTracingModules, preloadModules: sharedWorkflowModules })`.
 */
export const workflowTracingModules = [require.resolve('./workflowInterceptors')];

/** The interceptors of a Temporal client: none when tracing is off. */
export function tracingClientInterceptors(tracing: Tracing): ClientInterceptors {
  return tracing.enabled ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : {};
}

/**
 * Notes on the activity's span how long its attempt waited in the task queue and which attempt it is: what a slow
 * order's trace must show beside the run itself. Runs inside the span the OpenTelemetry interceptor opened.
 */
class ActivityWaitInterceptor implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: ActivityContext) {}

  execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const { attempt, currentAttemptScheduledTimestampMs } = this.ctx.info;
    trace.getActiveSpan()?.setAttributes({
      'temporal.activity.attempt': attempt,
      'temporal.activity.queue_wait_ms': Math.max(0, Date.now() - currentAttemptScheduledTimestampMs),
    });
    return next(input);
  }
}

/**
 * A worker's interceptors: the workflow module when it bundles workflows from source, and with tracing on a span
 * per activity continued from the context its workflow handed it.
 */
export function tracingWorkerInterceptors(tracing: Tracing, bundlesWorkflows: boolean): WorkerInterceptors {
  return {
    ...(bundlesWorkflows ? { workflowModules: workflowTracingModules } : {}),
    ...(tracing.enabled
      ? {
          activity: [
            (ctx) => ({
              inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
              outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
            }),
            (ctx) => ({ inbound: new ActivityWaitInterceptor(ctx) }),
          ],
        }
      : {}),
  };
}
