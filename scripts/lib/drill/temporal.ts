/**
 * A Temporal dev server the drills can stop and start again on the same port and SQLite file. `startStack` starts
 * Temporal for the life of the stack only; the Temporal drill needs it to go away mid-run and come back with every
 * workflow it held, so it runs its own, started the same way (the project's search attributes registered).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { orderSearchAttributes } from '../../../src/domain/searchAttributes';
import { cliTypeNames, freePort, waitForPort } from '../stack';
import { ensureTemporalCli, root } from '../tools';

/** A Temporal dev server whose state lives in one SQLite file, so it survives `stop` and `start`. */
export interface RestartableTemporal {
  /** host:port, the same across restarts. */
  address: string;
  /** Stops the server (SIGTERM, SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** Starts it again on the same port and file, and waits until it lists the search attributes. */
  start(): Promise<void>;
  /** True while the server process runs. */
  running(): boolean;
}

const children = new Set<ChildProcess>();
// The server must not outlive the drill, even when it crashes.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts a persistent dev server in `dataDir` (temporal.sqlite) on a free port, logging to `<logDir>/temporal.log`. */
export async function startRestartableTemporal(dataDir: string, logDir: string): Promise<RestartableTemporal> {
  const binary = ensureTemporalCli();
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn', '--headless'];
  for (const key of orderSearchAttributes) args.push('--search-attribute', `${key.name}=${cliTypeNames[key.type]}`);
  args.push('--db-filename', path.join(dataDir, 'temporal.sqlite'));
  let child: ChildProcess | undefined;
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  const start = async () => {
    const log = createWriteStream(path.join(logDir, 'temporal.log'), { flags: 'a' });
    const started = spawn(binary, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(started);
    started.once('exit', () => children.delete(started));
    started.stdout?.pipe(log);
    started.stderr?.pipe(log);
    child = started;
    await waitForPort(port, 'Temporal dev server', started);
    await waitForSearchAttributes(address);
  };
  const stop = async () => {
    const current = child;
    if (!current || !running()) return;
    const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
    current.kill('SIGTERM');
    const timer = setTimeout(() => current.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return { address, stop, start, running };
}

/** Resolves once the server answers and lists every custom search attribute of the project. */
async function waitForSearchAttributes(address: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
        if (orderSearchAttributes.every((key) => customAttributes?.[key.name] !== undefined)) return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error('the Temporal dev server did not register the search attributes in time');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
