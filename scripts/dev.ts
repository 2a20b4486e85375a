/**
 * `npm run dev`: the whole stack on this machine with demo data — Temporal dev server (Web UI on 8233),
 * FerretDB on PostgreSQL 15, the worker and the API — with state kept in .data/ across runs, and demo partners (WMS,
 * carrier, storefront…) the hub delivers to, unless PARTNERS names your own. Ctrl-C stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { connectDatabase } from '../src/db/connection';
import { createStores } from '../src/db/stores';
import { channelSchema } from '../src/domain/order';
import { workerNodeArgs } from './lib/benchSupport';
import { DEV_CHANNEL_SECRET, DEV_OPS_KEY, postDemoOrders, seedDemoAccounts, seedSettingsAndStock, type DemoAccount } from './lib/demoData';
import { startDemoPartners, type DemoPartners } from './lib/partners/demo';
import { startStack, type Stack } from './lib/stack';
import { InstallError, root } from './lib/tools';

const apiPort = Number(process.env.API_PORT ?? 3000);
const children: ChildProcess[] = [];
let stack: Stack | undefined;
let partners: DemoPartners | undefined;

function startService(name: string, entry: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((line) => `[${name}] ${line}`)
      .join('\n');
  child.stdout?.on('data', (chunk: Buffer) => console.log(prefix(chunk)));
  child.stderr?.on('data', (chunk: Buffer) => console.error(prefix(chunk)));
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`[${name}] exited (${signal ?? code}); press Ctrl-C to stop the stack`);
  });
  children.push(child);
  return child;
}

async function waitForReady(baseUrl: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${baseUrl}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the API at ${baseUrl} did not become ready in ${timeoutMs / 1000} s`);
}

/**
 * Warns when no worker polls the order task queue a minute after start, and again whenever that changes: intake
 * still answers 202 then, but orders wait until a worker comes.
 */
function watchWorkers(baseUrl: string, taskQueue: string): void {
  const startedAt = Date.now();
  let reported: string | undefined;
  const check = async () => {
    const workers = await fetch(`${baseUrl}/readyz`)
      .then((r) => r.json() as Promise<{ workers?: string }>)
      .then(
        (body) => body.workers,
        () => undefined,
      );
    if (stopping || workers === undefined || workers === reported) return;
    if (workers === 'none polling' && (reported !== undefined || Date.now() - startedAt > 60_000)) {
      console.warn(`[dev] warning: no worker is polling task queue "${taskQueue}": orders are accepted but wait (see the [worker] lines)`);
      reported = workers;
    } else if (workers === 'polling') {
      if (reported !== undefined) console.log(`[dev] a worker is polling task queue "${taskQueue}" again`);
      reported = workers;
    }
  };
  setInterval(() => void check(), 5_000).unref();
}

/** Where the demo partners listen, or a note that the user's PARTNERS configuration is in use. */
function demoPartnerLines(demo: DemoPartners | undefined): string[] {
  if (!demo) return ['  Partners       from PARTNERS in your environment (no demo partners started)'];
  const { wms, carrier, storefront, payments, suppliers, operations } = demo.urls;
  return [
    `  Demo partners  WMS ${wms}, carrier SF ${carrier}, storefront ${storefront}`,
    `                 payments ${payments}, suppliers ${suppliers}, operations ${operations}   (LOG_LEVEL=debug logs each event)`,
  ];
}

/** The demo partners' keys, printed on the run that created them: the hub keeps only their hashes. */
function partnerKeyLines(accounts: DemoAccount[]): string[] {
  const created = accounts.filter((a) => a.apiKey);
  if (created.length === 0) {
    return [
      `  Partner keys   shown when first created; issue another with POST /v1/accounts/{id}/keys (ids: ${accounts.map((a) => a.accountId).join(', ')})`,
    ];
  }
  return [
    '  Partner keys   X-Api-Key for shipment progress, shown this once (more: POST /v1/accounts/{id}/keys):',
    ...created.map((a) => `                 ${a.accountId.padEnd(24)} ${a.apiKey}`),
  ];
}

let stopping = false;
let stopped: Promise<void> | undefined;
/** Stops everything once; a later call waits for the same teardown instead of cutting it short. */
function stop(): Promise<void> {
  return (stopped ??= teardown());
}

async function teardown(): Promise<void> {
  stopping = true;
  console.log('\n[dev] stopping…');
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
        }),
    ),
  );
  await partners?.stop();
  await stack?.stop();
  console.log('[dev] stopped; data kept in .data/');
}

async function main(): Promise<void> {
  const dataDir = path.join(root, '.data');
  stack = await startStack({
    dataDir,
    persistent: true,
    temporalPort: 7233,
    uiPort: 8233,
    mongoPort: 27017,
    database: 'orderhub',
    logDir: path.join(dataDir, 'logs'),
  });
  // Without partners every order stalls at dispatch, so demo ones start unless the user configured their own.
  if (!process.env.PARTNERS) partners = await startDemoPartners({ settleRefunds: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_UI_URL: stack.temporalUiUrl ?? process.env.TEMPORAL_UI_URL,
    MONGODB_URI: stack.mongoUri,
    ...(stack.postgresqlUrl ? { FERRETDB_POSTGRESQL_URL: stack.postgresqlUrl } : {}),
    API_PORT: String(apiPort),
    OPS_API_KEYS: process.env.OPS_API_KEYS ?? `ops:${DEV_OPS_KEY}`,
    CHANNEL_SECRETS: process.env.CHANNEL_SECRETS ?? channelSchema.options.map((c) => `${c}:${DEV_CHANNEL_SECRET}`).join(','),
    ...(partners ? { PARTNERS: partners.config } : {}),
  };
  const db = await connectDatabase(stack.mongoUri, { ferretdbPostgresqlUrl: env.FERRETDB_POSTGRESQL_URL });
  const stores = createStores(db);
  await seedSettingsAndStock(stores, partners);
  const supplier = partners?.supplierProfile('sup-hz-box');
  const accounts = await seedDemoAccounts(
    stores,
    supplier && { supplierWebhookUrl: supplier.webhookUrl, supplierNotifyUrl: supplier.notify?.url },
  );
  await db.close();

  startService('worker', 'src/worker/main.ts', env, workerNodeArgs);
  startService('api', 'src/api/main.ts', env);
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  await waitForReady(baseUrl);
  const demo = await postDemoOrders(baseUrl);
  const config = loadConfig(env);
  const workerMetrics = [
    config.WORKER_METRICS_PORT > 0 ? `, http://${config.WORKER_METRICS_HOST}:${config.WORKER_METRICS_PORT}/metrics (worker)` : '',
    config.WORKER_SDK_METRICS_PORT > 0
      ? `, http://${config.WORKER_METRICS_HOST}:${config.WORKER_SDK_METRICS_PORT}/metrics (Temporal SDK)`
      : '',
  ].join('');
  console.log(
    [
      '',
      'Order Hub is running.',
      `  API            ${baseUrl}   (reference: ${baseUrl}/docs, spec: ${baseUrl}/openapi.json)`,
      `  Temporal UI    ${stack.temporalUiUrl ?? env.TEMPORAL_UI_URL}   (try the filter: OrderStatus = "ON_HOLD")`,
      `  Temporal gRPC  ${stack.temporalAddress}`,
      `  Database       ${stack.mongoUri}   ${
        stack.postgresqlUrl
          ? `(FerretDB on PostgreSQL 15 at ${stack.postgresqlUrl}; files in .data/postgres)`
          : process.env.MONGODB_URI
            ? '(yours)'
            : '(FerretDB on SQLite; files in .data/ferretdb)'
      }`,
      `  Metrics        ${baseUrl}/metrics (API)${workerMetrics}`,
      `  Ops key        X-Api-Key: ${env.OPS_API_KEYS?.split(',')[0]?.split(':')[1]}`,
      `  Demo orders    ${demo.join('; ')}`,
      ...demoPartnerLines(partners),
      ...partnerKeyLines(accounts),
      'Press Ctrl-C to stop; the next run resumes with the same data.',
      '',
    ].join('\n'),
  );
  watchWorkers(baseUrl, config.TEMPORAL_TASK_QUEUE);
}

// `on`, not `once`: Ctrl-C under `npm run dev` arrives twice (from the terminal and forwarded by npm), and a second
// SIGINT without a listener would kill this process mid-teardown, before the stack is stopped.
process.on('SIGINT', () => void stop().then(() => process.exit(0)));
process.on('SIGTERM', () => void stop().then(() => process.exit(0)));
main().catch(async (error: unknown) => {
  console.error(error instanceof InstallError ? error.message : error);
  await stop();
  process.exit(1);
});
