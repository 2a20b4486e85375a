/** A worker in its own process, as production runs it, on a test hub's task queue, database and partners: a test may SIGKILL it. */
import path from 'node:path';
import { startWorkerProcess, type NodeProcess } from '../../scripts/lib/benchSupport';
import { OPS_KEY, type Harness } from './harness';

/** Starts one worker process for `hub`, logging to `<logDir>/<name>.log`; `env` adds to or overrides its environment. */
export function startHubWorker(hub: Harness, logDir: string, name: string, env: NodeJS.ProcessEnv = {}): NodeProcess {
  const { config } = hub;
  return startWorkerProcess(
    {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      MONGODB_URI: config.MONGODB_URI,
      TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
      PARTNERS: hub.partners.config,
      OPS_API_KEYS: `ops-tester:${OPS_KEY}`,
      WORKER_METRICS_PORT: '0',
      WORKER_SDK_METRICS_PORT: '0',
      ...env,
    },
    path.join(logDir, `${name}.log`),
  );
}
