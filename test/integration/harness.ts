/**
 * One test file's Order Hub: its own database and task queue on the shared Temporal dev server and
 * FerretDB started by scripts/run-tests.ts, a real worker (or none until the test starts it) and the real API on a free port.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig, type Config } from '../../src/config';
import { createApp } from '../../src/api/app';
import { signWebhook } from '../../src/api/auth';
import { connectDatabase, type Database } from '../../src/db/connection';
import { createStores, type Stores } from '../../src/db/stores';
import type { Channel } from '../../src/domain/order';
import { createLogger } from '../../src/logging';
import { startTracing, type Tracing } from '../../src/tracing';
import { tracingClientInterceptors } from '../../src/tracing/temporal';
import { sdkTelemetry } from '../../src/worker/metrics';
import { createOrderWorker, type OrderWorkers } from '../../src/worker/worker';
import { startLocalPartners, type LocalPartners } from './partnersSupport';

/** The channel secret every test channel signs with. */
export const CHANNEL_SECRET = 'test-channel-secret';
/** The operations key tests use. */
export const OPS_KEY = 'test-ops-key';

/** An HTTP answer. */
export interface Answer<T = any> {
  status: number;
  body: T;
}

/** A running Order Hub for one test file. */
export interface Harness {
  config: Config;
  db: Database;
  stores: Stores;
  client: Client;
  baseUrl: string;
  /** The hub's partners on loopback: what they received is the proof of delivery. */
  partners: LocalPartners;
  /** The process's tracing (off unless started with `otlpEndpoint`). */
  tracing: Tracing;
  /** Sends a request with the operations key. */
  ops<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer<T>>;
  /** Sends a signed channel webhook. */
  channel<T = any>(channel: Channel, path: string, body: unknown): Promise<Answer<T>>;
  /** Sends a request with no credentials. */
  request<T = any>(method: string, path: string, body?: string, headers?: Record<string, string>): Promise<Answer<T>>;
  /** Starts the worker of a harness started with `worker: false` (a worker outage ending); no-op when one runs. */
  startWorker(): Promise<void>;
  stop(): Promise<void>;
}

function databaseUri(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** How a harness starts. */
export interface HarnessOptions {
  /** false: only the API runs, no worker polls the task queue until `startWorker()`. */
  worker?: boolean;
  /** The per-call timeout of the hub's partner calls (default 2 s). */
  partnerTimeoutMs?: number;
  /** Traces the API and worker to this OTLP/HTTP endpoint (off by default, as in production). */
  otlpEndpoint?: string;
}

/** Starts the worker and the API for a test file; `name` keeps its database and task queue apart. */
export async function startHarness(name: string, env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const required = ['TEMPORAL_ADDRESS', 'MONGODB_URI', 'WORKFLOW_BUNDLE_PATH'];
  const missing = required.filter((key) => !process.env[key]);
  if (missing.length > 0)
    throw new Error(`integration tests run through "npm test" or "npm run test:integration" (missing ${missing.join(', ')})`);
  const unique = `${name}-${process.pid}-${Date.now().toString(36)}`;
  const partners = await startLocalPartners({ timeoutMs: options.partnerTimeoutMs });
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    MONGODB_URI: databaseUri(process.env.MONGODB_URI!, `it_${unique}`.replace(/\W/g, '_').slice(0, 60)),
    TEMPORAL_TASK_QUEUE: `it-${unique}`,
    API_PORT: '0',
    OPS_API_KEYS: `ops-tester:${OPS_KEY}`,
    CHANNEL_SECRETS: ['tmall', 'jd', 'douyin', 'pinduoduo', 'youzan', 'miniprogram', 'website']
      .map((c) => `${c}:${CHANNEL_SECRET}`)
      .join(','),
    WORKER_MAX_CONCURRENT_ACTIVITIES: '20',
    // Test files run side by side: metrics ports stay off unless a test asks for them.
    WORKER_METRICS_PORT: '0',
    WORKER_SDK_METRICS_PORT: '0',
    PARTNERS: partners.config,
    ...env,
  });
  const logger = createLogger(config.LOG_LEVEL, `it-${name}`);
  const tracing = startTracing({ serviceName: `order-hub-${name}`, otlpEndpoint: options.otlpEndpoint });
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: sdkTelemetry(config) });
  const db = await connectDatabase(config.MONGODB_URI, { ferretdbPostgresqlUrl: config.FERRETDB_POSTGRESQL_URL });
  const stores = createStores(db);
  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  let worker: { worker: OrderWorkers; running: Promise<void> } | undefined;
  const startWorker = async () => {
    if (worker) return;
    const created = await createOrderWorker(
      config,
      nativeConnection,
      { stores, logger },
      { workflowBundle: { codePath: config.WORKFLOW_BUNDLE_PATH! } },
      tracing,
    );
    worker = { worker: created, running: created.run() };
  };
  if (options.worker !== false) await startWorker();
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: tracingClientInterceptors(tracing) });
  // One process, one set of stores (they cache settings and keys): the API and the worker here share them; a test that
  // needs another process starts one (workerProcess.ts).
  const app = createApp({ config, temporal: client, db, logger, stores });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const request = async (method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      body,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  return {
    config,
    db,
    stores,
    client,
    baseUrl,
    partners,
    tracing,
    request,
    startWorker,
    ops: (method, path, body, headers = {}) =>
      request(method, path, body === undefined ? undefined : JSON.stringify(body), { 'x-api-key': OPS_KEY, ...headers }),
    channel: (channel, path, body) => {
      const raw = JSON.stringify(body);
      const timestamp = new Date().toISOString();
      return request('POST', `/v1/channels/${channel}${path}`, raw, {
        'x-orderhub-timestamp': timestamp,
        'x-orderhub-signature': signWebhook(CHANNEL_SECRET, timestamp, raw),
      });
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (worker) {
        worker.worker.shutdown();
        await worker.running;
      }
      await Promise.all([connection.close(), nativeConnection.close()]);
      await db.connection.dropDatabase().catch(() => undefined);
      await db.close();
      await partners.stop();
      await tracing.shutdown();
    },
  };
}

/** Polls until `probe` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}
