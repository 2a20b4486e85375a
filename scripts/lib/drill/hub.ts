/**
 * The hub a drill runs against, thrown away afterwards: its own Temporal dev server (restartable, state in SQLite) and
 * its own database (FerretDB on PostgreSQL, restartable on the same ports), the API and one worker as real child
 * processes, the demo partners on loopback (the storefront and the drop-ship supplier behind fault gates), and a seeded
 * network with partner accounts whose keys the simulated WMS, supplier and carrier report with. Never the caller's
 * TEMPORAL_ADDRESS or MONGODB_URI: a drill stops servers, so it must only ever stop its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { connectDatabase } from '../../../src/db/connection';
import { createStores } from '../../../src/db/stores';
import { channelSchema } from '../../../src/domain/order';
import { escalationSettingsSchema } from '../../../src/domain/escalation';
import { defaultOrderPolicy, policySettingsSchema } from '../../../src/domain/policy';
import { routingRuleSetSchema } from '../../../src/domain/routing/rules';
import { dropShipSofas, testNetwork } from '../../../test/fixtures/network';
import { startApiProcess, startWorkerProcess, Teardown, waitForApi, waitForPollers, type NodeProcess } from '../benchSupport';
import { startDemoPartners, DEMO_CARRIER, type DemoPartners } from '../partners/demo';
import { freePort, startDatabase } from '../stack';
import { writeWorkflowBundle } from '../workflowBundle';
import { startFaultGate, type FaultGate } from './gate';
import { startRestartableTemporal, type RestartableTemporal } from './temporal';

/** The operations key of a drill hub. */
export const DRILL_OPS_KEY = 'drill-ops-key';
/** Every channel's webhook secret on a drill hub. */
export const DRILL_CHANNEL_SECRET = 'drill-channel-secret';
/** The task queue of a drill hub's worker. */
export const DRILL_TASK_QUEUE = 'drill';
/** The drop-ship supplier of the drill network (sofas ship from it, test/fixtures/network.ts). */
export const DRILL_SUPPLIER = 'sofa-maker';
/** The warehouses of the drill network. */
export const DRILL_WAREHOUSES = testNetwork.warehouses.map((w) => w.id);
/** The return window of drill orders: short, so every order completes within the drill. */
export const DRILL_RETURN_WINDOW_S = 2;

/** Keys of the parties that report to the hub. */
export interface PartyKeys {
  /** By warehouse id. */
  warehouses: Record<string, string>;
  carrier: string;
  supplier: string;
}

/** A running drill hub. */
export interface DrillHub {
  baseUrl: string;
  client: Client;
  temporal: RestartableTemporal;
  partners: DemoPartners;
  /** Fault gates in front of the storefront (every channel's write-backs) and the drop-ship supplier. */
  gates: { channel: FaultGate; supplier: FaultGate };
  keys: PartyKeys;
  /** The environment the hub's processes run with (the invariant checker gets the same). */
  env: NodeJS.ProcessEnv;
  scratch: string;
  logDir: string;
  /** The current worker process. */
  worker(): NodeProcess;
  /** Pids of every worker process started so far, oldest first. */
  workerPids(): number[];
  /** Worker exits nobody asked for (the supervisor started a new one each time). */
  unexpectedWorkerExits(): number;
  /** SIGKILLs the worker and waits until it is gone; the supervisor leaves it down until `startWorker`. */
  killWorker(): Promise<void>;
  /** Starts a new worker process and waits until it polls. */
  startWorker(): Promise<void>;
  /** Stops the database (FerretDB, then PostgreSQL). */
  stopDatabase(): Promise<void>;
  /** Starts the database again on the same ports and data folder. */
  startDatabase(): Promise<void>;
  /** Waits until a worker polls both the workflow and the activity side of the task queue. */
  waitForWorker(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** How a drill hub is set up. */
export interface DrillHubOptions {
  /** Stock per "SKU@warehouse". */
  stock: Record<string, number>;
  /** The escalation policy's base (e.g. short FS-2 so a stormed write-back raises its alert within the drill). */
  escalation?: Record<string, unknown>;
  /** Keep the scratch folder (logs, data) instead of deleting it. */
  keep?: boolean;
  /** Log line prefix. */
  label: string;
}

/** The test runner bundles once for every test; a drill run from the command line bundles its own. */
function bundlePath(scratch: string): Promise<string> {
  return process.env.WORKFLOW_BUNDLE_PATH ? Promise.resolve(process.env.WORKFLOW_BUNDLE_PATH) : writeWorkflowBundle(scratch);
}

/** Starts a drill hub; everything it started is undone by `stop`, also when starting fails half-way. */
export async function startDrillHub(options: DrillHubOptions): Promise<DrillHub> {
  const teardown = new Teardown();
  const scratch = mkdtempSync(path.join(os.tmpdir(), `orderhub-drill-${options.label}-`));
  if (!options.keep) teardown.defer('scratch folder', async () => rmSync(scratch, { recursive: true, force: true }));
  const logDir = path.join(scratch, 'logs');
  try {
    return await start(options, scratch, logDir, teardown);
  } catch (error) {
    await teardown.run();
    throw error;
  }
}

async function start(options: DrillHubOptions, scratch: string, logDir: string, teardown: Teardown): Promise<DrillHub> {
  const temporal = await startRestartableTemporal(scratch, logDir);
  teardown.defer('Temporal dev server', () => temporal.stop());
  const database = 'orderhub-drill';
  const dbOptions = {
    dataDir: scratch,
    persistent: true,
    database,
    logDir,
    mongoPort: await freePort(),
    postgresPort: await freePort(),
  };
  // Only FERRETDB_HANDLER passes: a drill stops its database and must never be handed someone else's.
  const stackEnv: NodeJS.ProcessEnv = process.env.FERRETDB_HANDLER ? { FERRETDB_HANDLER: process.env.FERRETDB_HANDLER } : {};
  let running: { uri: string; postgresqlUrl?: string; stop(): Promise<void> } | undefined = await startDatabase(dbOptions, stackEnv);
  teardown.defer('database', async () => running?.stop());
  const { uri: mongoUri, postgresqlUrl } = running;
  const workflowBundle = await bundlePath(scratch);

  const partners = await startDemoPartners();
  teardown.defer('demo partners', () => partners.stop());
  const gates = { channel: await startFaultGate(partners.urls.storefront), supplier: await startFaultGate(partners.urls.suppliers) };
  teardown.defer('fault gates', () => Promise.all([gates.channel.stop(), gates.supplier.stop()]));
  const config = JSON.parse(partners.config) as { channels: Record<string, { url: string }> };
  for (const channel of Object.values(config.channels)) channel.url = channel.url.replace(partners.urls.storefront, gates.channel.url);

  const keys = await seed(mongoUri, postgresqlUrl, partners, gates.supplier, options);

  // Nothing of a stack the caller runs may leak in (the test runner's shared stack sets these).
  const inherited = { ...process.env };
  delete inherited.FERRETDB_POSTGRESQL_URL;
  delete inherited.TEMPORAL_UI_URL;
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    NODE_ENV: 'development',
    LOG_LEVEL: process.env.DRILL_LOG_LEVEL ?? 'warn',
    TEMPORAL_ADDRESS: temporal.address,
    MONGODB_URI: mongoUri,
    ...(postgresqlUrl ? { FERRETDB_POSTGRESQL_URL: postgresqlUrl } : {}),
    TEMPORAL_TASK_QUEUE: DRILL_TASK_QUEUE,
    WORKFLOW_BUNDLE_PATH: workflowBundle,
    OPS_API_KEYS: `drill:${DRILL_OPS_KEY}`,
    CHANNEL_SECRETS: channelSchema.options.map((c) => `${c}:${DRILL_CHANNEL_SECRET}`).join(','),
    PARTNERS: JSON.stringify(config),
    RATE_LIMIT_PER_MINUTE: '100000000',
    WORKER_METRICS_PORT: '0',
    WORKER_SDK_METRICS_PORT: '0',
  };

  const connection = await Connection.connect({ address: temporal.address });
  teardown.defer('Temporal client', () => connection.close());
  const client = new Client({ connection, namespace: 'default' });

  // One worker, watched: a worker that dies on its own is started again, as a process supervisor would.
  const workers: NodeProcess[] = [];
  let keptDown = false;
  let unexpected = 0;
  let stopping = false;
  const spawnWorker = () => {
    const worker = startWorkerProcess(env, path.join(logDir, `worker-${workers.length + 1}.log`));
    workers.push(worker);
    return worker;
  };
  spawnWorker();
  teardown.defer('worker processes', async () => {
    stopping = true;
    await Promise.all(workers.map((w) => w.stop()));
  });
  const supervisor = setInterval(() => {
    const current = workers.at(-1)!;
    if (stopping || keptDown || current.running()) return;
    unexpected += 1;
    console.error(`[drill] the worker (pid ${current.pid}) exited on its own; starting another. Its last lines:\n${tail(current.log())}`);
    spawnWorker();
  }, 1_000);
  teardown.defer('worker supervisor', async () => clearInterval(supervisor));

  const { api, baseUrl } = await startApiProcess(env, path.join(logDir, 'api.log'));
  teardown.defer('API process', () => api.stop());
  const waitForWorker = (timeoutMs = 90_000) => waitForPollers(client, DRILL_TASK_QUEUE, 1, timeoutMs);
  try {
    await waitForApi(baseUrl, api);
    await waitForWorker();
  } catch (error) {
    console.error(`[drill] worker log, last lines:\n${tail(workers.at(-1)!.log())}`);
    throw error;
  }

  return {
    baseUrl,
    client,
    temporal,
    partners,
    gates,
    keys,
    env,
    scratch,
    logDir,
    worker: () => workers.at(-1)!,
    workerPids: () => workers.map((w) => w.pid),
    unexpectedWorkerExits: () => unexpected,
    async killWorker() {
      keptDown = true;
      const current = workers.at(-1)!;
      process.kill(current.pid, 'SIGKILL');
      await current.stop();
    },
    async startWorker() {
      spawnWorker();
      keptDown = false;
      await waitForWorker();
    },
    async stopDatabase() {
      await running?.stop();
      running = undefined;
    },
    async startDatabase() {
      running = await startDatabase(dbOptions, stackEnv);
    },
    waitForWorker,
    stop: () => teardown.run(),
  };
}

/** Seeds the network (each warehouse at the demo WMS), rules, policy, stock and the reporting parties' accounts. */
async function seed(
  mongoUri: string,
  postgresqlUrl: string | undefined,
  partners: DemoPartners,
  supplierGate: FaultGate,
  options: DrillHubOptions,
): Promise<PartyKeys> {
  const db = await connectDatabase(mongoUri, { ferretdbPostgresqlUrl: postgresqlUrl });
  try {
    const stores = createStores(db);
    await stores.network.save(partners.connect(testNetwork), 'drill');
    await stores.routingRules.save(routingRuleSetSchema.parse({ id: 'drill-rules', version: 1, rules: [dropShipSofas] }), 'drill');
    await stores.policy.save(
      policySettingsSchema.parse({ base: { ...defaultOrderPolicy, returnWindowSeconds: DRILL_RETURN_WINDOW_S }, overrides: [] }),
      'drill',
    );
    if (options.escalation)
      await stores.escalationPolicy.save(escalationSettingsSchema.parse({ base: options.escalation, overrides: [] }), 'drill');
    for (const [key, units] of Object.entries(options.stock)) {
      const [sku, warehouseId] = key.split('@') as [string, string];
      await stores.ledger.adjust(sku, warehouseId, `seed:${key}`, 'receipt', units, { actor: 'drill' });
    }
    const actor = 'drill';
    const warehouses: Record<string, string> = {};
    for (const id of DRILL_WAREHOUSES) {
      const { key } = await stores.accounts.create({ kind: 'warehouse', partyId: id, name: `${id} WMS`, actor });
      warehouses[id] = key.apiKey;
    }
    const carrier = await stores.accounts.create({ kind: 'carrier', partyId: DEMO_CARRIER, name: 'SF Express', actor });
    // The supplier's pushes and notices go through its fault gate, so a drill can make the supplier misbehave.
    const profile = partners.supplierProfile(DRILL_SUPPLIER);
    const viaGate = (url: string | undefined) => url?.replace(partners.urls.suppliers, supplierGate.url);
    const supplier = await stores.accounts.create({
      kind: 'supplier',
      partyId: DRILL_SUPPLIER,
      name: 'Sofa maker',
      supplier: {
        ...profile,
        webhookUrl: viaGate(profile.webhookUrl),
        ...(profile.notify ? { notify: { ...profile.notify, url: viaGate(profile.notify.url)! } } : {}),
      },
      actor,
    });
    return { warehouses, carrier: carrier.key.apiKey, supplier: supplier.key.apiKey };
  } finally {
    await db.close();
  }
}

/** The last lines of a log. */
export function tail(log: string, lines = 20): string {
  return log.split('\n').slice(-lines).join('\n');
}
