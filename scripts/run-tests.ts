/**
 * Test runner: starts one Temporal dev server and one FerretDB (on a throw-away PostgreSQL cluster) on free ports
 * (or uses TEMPORAL_ADDRESS / MONGODB_URI), bundles the workflows once, runs the tests over real HTTP and gRPC in one node:test run
 * (so the closing lines count every test), and tears everything down.
 *   tsx scripts/run-tests.ts [--with-unit] [name…]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack } from './lib/stack';
import { ensureTimeSkippingServer } from './lib/testServer';
import { InstallError, root } from './lib/tools';
import { writeWorkflowBundle } from './lib/workflowBundle';

async function main(): Promise<number> {
  // Installed before anything starts, so a missing Java stops the run with one sentence and nothing to tear down.
  const testServer = process.env.TEMPORAL_TEST_SERVER_PATH ?? ensureTimeSkippingServer();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'orderhub-it-'));
  const stack = await startStack({ dataDir: scratch, persistent: false, database: 'orderhub-test', logDir: path.join(scratch, 'logs') });
  try {
    const bundlePath = await writeWorkflowBundle(scratch);
    const args = process.argv.slice(2);
    const folders = args.includes('--with-unit') ? ['unit', 'integration'] : ['integration'];
    const files = folders.flatMap((folder) => testFiles(path.join(root, 'test', folder)));
    const only = args.filter((a) => !a.startsWith('--'));
    const selected = only.length > 0 ? files.filter((f) => only.some((o) => f.includes(o))) : files;
    console.log(`[it] Temporal ${stack.temporalAddress}, database ${stack.mongoUri}, ${selected.length} file(s)`);
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...selected], {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: stack.temporalAddress,
        MONGODB_URI: stack.mongoUri,
        ...(stack.postgresqlUrl ? { FERRETDB_POSTGRESQL_URL: stack.postgresqlUrl } : {}),
        WORKFLOW_BUNDLE_PATH: bundlePath,
        TEMPORAL_TEST_SERVER_PATH: testServer,
        IT_SCRATCH: scratch,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      },
    });
    return await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  } finally {
    await stack.stop();
    if (!process.env.KEEP_IT_SCRATCH) rmSync(scratch, { recursive: true, force: true });
  }
}

/** Every *.test.ts file under a folder, sorted. */
function testFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => path.join(dir, f));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof InstallError ? error.message : error);
    process.exit(1);
  },
);
