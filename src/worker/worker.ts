/** Builds the order worker: workflows from the bundle, activities from their factory, sized for 2 cores. */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Config } from '../config';
import { createActivities } from '../activities';
import type { ActivityDeps } from '../activities/deps';

/** Where workflow code comes from: a prebuilt bundle (tests, production) or the source (development). */
export type WorkflowSource = Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>;

/** The workflow source when nothing was prebuilt. */
export const workflowsPath = require.resolve('../workflows');

/** Creates a worker on an open connection. */
export async function createOrderWorker(
  config: Config,
  connection: NativeConnection,
  deps: ActivityDeps,
  source: WorkflowSource = { workflowsPath },
): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...source,
    activities: createActivities(deps),
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
  });
}
