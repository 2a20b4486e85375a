/**
 * The hub under test: the project's own local stack (startStack: a Temporal dev server and the local database),
 * a prebuilt workflow bundle, the API and the worker processes as real child processes, each with its own
 * metrics ports, demo partners the hub delivers to (WMS, carrier, storefront…), and a seeded network. The bench
 * talks to it over HTTP as channels and operations do; it opens the database only to seed it and to read the stock
 * ledger and the probe's deliveries afterwards.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { writeWorkflowBundle } from '../workflowBundle';
import { connectDatabase } from '../../../src/db/connection';
import { createStores, type Stores } from '../../../src/db/stores';
import { seedHub, type dropShipSofas } from '../../../test/fixtures/network';
import { startApiProcess, startWorkerProcess, Teardown, waitForApi, waitForPollers, type NodeProcess } from '../benchSupport';
import { startDemoPartners, type DemoPartners } from '../partners/demo';
import { freePort, startStack } from '../stack';
import { CHANNEL_SECRET } from './load';

/** The operations key of the bench (audit reads, shipment reports of the probe). */
export const OPS_KEY = 'bench-ops-key';
/** The bench's own task queue, so its workers never take another stack's orders. */
export const TASK_QUEUE = 'bench';

/** A running hub. */
export interface Hub {
  baseUrl: string;
  client: Client;
  stores: Stores;
  api: NodeProcess;
  workers: NodeProcess[];
  /** The partners the hub delivers to; what they received shows the outside messages of a run. */
  partners: DemoPartners;
  /** Metrics endpoints: the API's, and each worker's hub and SDK endpoints. */
  metricsUrls: { api: string; workers: string[]; sdk: string[] };
  /** The folder every server's files and logs live under (also how detached servers are found for CPU). */
  scratch: string;
  /** The environment that points a process at this stack (TEMPORAL_ADDRESS, MONGODB_URI, …), e.g. for the invariant checker. */
  env: NodeJS.ProcessEnv;
}

/** How the hub is seeded. */
export interface Seed {
  stock: Record<string, number>;
  overrides?: unknown[];
  /** Routing rules (none by default), e.g. the test network's drop-ship rule for sofas. */
  rules?: Array<typeof dropShipSofas>;
}

function databaseUri(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Starts the stack, seeds it, and starts the API and `workers` worker processes; everything is undone by `teardown`. */
export async function startHub(scratch: string, workers: number, seed: Seed, teardown: Teardown): Promise<Hub> {
  // Always its own servers (never TEMPORAL_ADDRESS / MONGODB_URI of the caller): the bench must not write into a
  // stack someone else runs. FERRETDB_HANDLER is passed on, so either database backend can be measured.
  const stackEnv: NodeJS.ProcessEnv = process.env.FERRETDB_HANDLER ? { FERRETDB_HANDLER: process.env.FERRETDB_HANDLER } : {};
  const logDir = path.join(scratch, 'logs');
  const stack = await startStack({ dataDir: scratch, persistent: false, database: 'orderhub-bench', logDir }, stackEnv);
  teardown.defer('stack', () => stack.stop());
  const bundlePath = await writeWorkflowBundle(scratch);

  const mongoUri = databaseUri(stack.mongoUri, 'orderhub-bench');
  // On FerretDB-on-PostgreSQL the processes make sure of the GIN indexes that serve indexed fields, as under `npm run dev`.
  const postgresql = stack.postgresqlUrl ? { FERRETDB_POSTGRESQL_URL: stack.postgresqlUrl } : {};
  const db = await connectDatabase(mongoUri, { ferretdbPostgresqlUrl: stack.postgresqlUrl });
  teardown.defer('bench database connection', () => db.close());
  const stores = createStores(db);
  // Without partners every order would stall at dispatch; deferred before the processes, so stopped after them.
  // Refunds settle at the demo storefront and payment provider, so returns can finish (lifecycle mode).
  const partners = await startDemoPartners({ settleRefunds: true });
  teardown.defer('demo partners', () => partners.stop());
  await seedHub({ stores, partners }, seed);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    TEMPORAL_ADDRESS: stack.temporalAddress,
    MONGODB_URI: mongoUri,
    ...postgresql,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    WORKFLOW_BUNDLE_PATH: bundlePath,
    OPS_API_KEYS: `bench:${OPS_KEY}`,
    CHANNEL_SECRETS: `tmall:${CHANNEL_SECRET}`,
    PARTNERS: partners.config,
    // The bench is the only client: the per-minute limit would otherwise cap large runs.
    RATE_LIMIT_PER_MINUTE: '100000000',
  };
  const metricsUrls: Hub['metricsUrls'] = { api: '', workers: [], sdk: [] };
  const workerProcesses: NodeProcess[] = [];
  for (let i = 1; i <= workers; i += 1) {
    const [hubPort, sdkPort] = [await freePort(), await freePort()];
    metricsUrls.workers.push(`http://127.0.0.1:${hubPort}/metrics`);
    metricsUrls.sdk.push(`http://127.0.0.1:${sdkPort}/metrics`);
    const worker = startWorkerProcess(
      { ...env, WORKER_METRICS_PORT: String(hubPort), WORKER_SDK_METRICS_PORT: String(sdkPort) },
      path.join(logDir, `worker-${i}.log`),
    );
    teardown.defer(`worker process ${i}`, () => worker.stop());
    workerProcesses.push(worker);
  }
  const { api, baseUrl } = await startApiProcess(env, path.join(logDir, 'api.log'));
  teardown.defer('API process', () => api.stop());
  metricsUrls.api = `${baseUrl}/metrics`;

  const connection = await Connection.connect({ address: stack.temporalAddress });
  teardown.defer('Temporal client', () => connection.close());
  const client = new Client({ connection, namespace: 'default' });
  try {
    await waitForApi(baseUrl, api);
    await waitForPollers(client, TASK_QUEUE, workers);
  } catch (error) {
    for (const [i, worker] of workerProcesses.entries())
      console.error(`[bench] worker ${i + 1} log, last lines:\n${worker.log().split('\n').slice(-20).join('\n')}`);
    throw error;
  }
  const stackOnly: NodeJS.ProcessEnv = {
    TEMPORAL_ADDRESS: stack.temporalAddress,
    MONGODB_URI: mongoUri,
    ...postgresql,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    PARTNERS: partners.config,
  };
  return { baseUrl, client, stores, api, workers: workerProcesses, partners, metricsUrls, scratch, env: stackOnly };
}
