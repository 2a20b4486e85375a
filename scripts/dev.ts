/**
 * `npm run dev`: the whole stack on this machine with demo data — Temporal dev server (Web UI on 8233),
 * FerretDB, the worker and the API — with state kept in .data/ across runs. Ctrl-C stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { connectDatabase } from '../src/db/connection';
import { createStores } from '../src/db/stores';
import { channelSchema } from '../src/domain/order';
import { DEV_CHANNEL_SECRET, DEV_OPS_KEY, postDemoOrders, seedSettingsAndStock } from './lib/demoData';
import { startStack, type Stack } from './lib/stack';
import { InstallError, root } from './lib/tools';

const apiPort = Number(process.env.API_PORT ?? 3000);
const children: ChildProcess[] = [];
let stack: Stack | undefined;

function startService(name: string, entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
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

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
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
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_UI_URL: stack.temporalUiUrl ?? process.env.TEMPORAL_UI_URL,
    MONGODB_URI: stack.mongoUri,
    API_PORT: String(apiPort),
    OPS_API_KEYS: process.env.OPS_API_KEYS ?? `ops:${DEV_OPS_KEY}`,
    CHANNEL_SECRETS: process.env.CHANNEL_SECRETS ?? channelSchema.options.map((c) => `${c}:${DEV_CHANNEL_SECRET}`).join(','),
  };
  const db = await connectDatabase(stack.mongoUri);
  await seedSettingsAndStock(createStores(db));
  await db.close();

  startService('worker', 'src/worker/main.ts', env);
  startService('api', 'src/api/main.ts', env);
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  await waitForReady(baseUrl);
  const demo = await postDemoOrders(baseUrl);
  console.log(
    [
      '',
      'Order Hub is running.',
      `  API            ${baseUrl}   (reference: ${baseUrl}/docs, spec: ${baseUrl}/openapi.json)`,
      `  Temporal UI    ${stack.temporalUiUrl ?? env.TEMPORAL_UI_URL}   (try the filter: OrderStatus = "ON_HOLD")`,
      `  Temporal gRPC  ${stack.temporalAddress}`,
      `  Database       ${stack.mongoUri}   (FerretDB; files in .data/ferretdb)`,
      `  Ops key        X-Api-Key: ${env.OPS_API_KEYS?.split(',')[0]?.split(':')[1]}`,
      `  Demo orders    ${demo.join('; ')}`,
      'Press Ctrl-C to stop; the next run resumes with the same data.',
      '',
    ].join('\n'),
  );
}

process.once('SIGINT', () => void stop().then(() => process.exit(0)));
process.once('SIGTERM', () => void stop().then(() => process.exit(0)));
main().catch(async (error: unknown) => {
  console.error(error instanceof InstallError ? error.message : error);
  await stop();
  process.exit(1);
});
