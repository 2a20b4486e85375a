/**
 * Builds the order workers, sized for 2 cores: one on the order task queue (workflows, local activities and the
 * database steps) and one on the delivery task queue (calls to partners, which wait on the network, not the CPU).
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Config } from '../config';
import { createActivities } from '../activities';
import type { ActivityDeps } from '../activities/deps';
import { createPartnerDirectory } from '../activities/partners';
import { deliveryTaskQueue, orderWorkflowId } from '../domain/ids';
import { tracingOff, type Tracing } from '../tracing';
import { tracingWorkerInterceptors } from '../tracing/temporal';
import { sharedWorkflowModules } from './workflowBundle';

/** Where workflow code comes from: a prebuilt bundle (tests, production) or the source (development). */
export type WorkflowSource = Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>;

/** The workflow source when nothing was prebuilt. */
export const workflowsPath = require.resolve('../workflows');

/** The two workers of one process, run and stopped together. */
export interface OrderWorkers {
  /** Runs both until shutdown; rejects if either fails. */
  run(): Promise<void>;
  /** Asks both to stop after their current tasks. */
  shutdown(): void;
}

/** The activities' dependencies: the process's stores and logger, and the partners its configuration names. */
export function activityDepsOf(config: Config, base: Pick<ActivityDeps, 'stores' | 'logger'>): ActivityDeps {
  return {
    ...base,
    partners: createPartnerDirectory(config.PARTNERS),
    partnerLimits: { maxInFlightPerPartner: config.PARTNERS.maxInFlightPerPartner },
    notifications: {
      channels: config.PARTNERS.notifications,
      timeoutMs: config.PARTNERS.timeoutMs,
      orderLink: (orderId) =>
        `${config.TEMPORAL_UI_URL}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(orderWorkflowId(orderId))}`,
    },
  };
}

/** Creates the order and delivery workers on an open connection; with tracing on, both run every activity in a span. */
export async function createOrderWorker(
  config: Config,
  connection: NativeConnection,
  base: Pick<ActivityDeps, 'stores' | 'logger'>,
  source: WorkflowSource = { workflowsPath },
  tracing: Tracing = tracingOff,
): Promise<OrderWorkers> {
  const activities = createActivities(activityDepsOf(config, base));
  const orders = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...source,
    // A prebuilt bundle was built with the same list (scripts/lib/workflowBundle.ts); the SDK ignores this then.
    ...(source.workflowBundle ? {} : { bundlerOptions: { preloadModules: sharedWorkflowModules } }),
    activities,
    interceptors: tracingWorkerInterceptors(tracing, !source.workflowBundle),
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
  });
  const deliveries = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: deliveryTaskQueue(config.TEMPORAL_TASK_QUEUE),
    activities,
    interceptors: tracingWorkerInterceptors(tracing, false),
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_DELIVERIES,
  });
  return {
    async run() {
      await Promise.all([orders.run(), deliveries.run()]);
    },
    shutdown() {
      for (const worker of [orders, deliveries]) if (worker.getState() === 'RUNNING') worker.shutdown();
    },
  };
}
