/**
 * Starts and stops the local stack: a Temporal dev server and a FerretDB database — on PostgreSQL 15 (started
 * here, see ./postgres.ts) by default, on SQLite files with FERRETDB_HANDLER=sqlite — or uses given servers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { orderSearchAttributes } from '../../src/domain/searchAttributes';
import { startPostgres, type Postgres } from './postgres';
import { ensureFerretDb, ensureTemporalCli, InstallError, root } from './tools';

/** Addresses of a running stack. */
export interface Stack {
  temporalAddress: string;
  temporalUiUrl?: string;
  mongoUri: string;
  /** The PostgreSQL database behind FerretDB, when the stack started FerretDB on PostgreSQL (FERRETDB_POSTGRESQL_URL of the processes). */
  postgresqlUrl?: string;
  stop(): Promise<void>;
}

/** FerretDB's backend: PostgreSQL (default) or SQLite. */
export type FerretHandler = 'postgresql' | 'sqlite';

/** Options for a local stack. */
export interface StackOptions {
  /** Persist Temporal and database state under this folder; omit for throw-away state. */
  dataDir: string;
  persistent: boolean;
  temporalPort?: number;
  uiPort?: number;
  mongoPort?: number;
  postgresPort?: number;
  /** FerretDB's backend; default: FERRETDB_HANDLER, else postgresql. */
  handler?: FerretHandler;
  database: string;
  /** Where server logs go. */
  logDir: string;
}

/** The Temporal CLI's names of search attribute types, by the SDK's type. */
export const cliTypeNames: Record<string, string> = {
  KEYWORD: 'Keyword',
  KEYWORD_LIST: 'KeywordList',
  INT: 'Int',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  TEXT: 'Text',
  DOUBLE: 'Double',
};

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on host:port. */
export async function waitForPort(port: number, what: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} before it was ready; see its log`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} did not open port ${port} within ${timeoutMs / 1000} s`);
}

const running = new Set<ChildProcess>();
// Servers must not outlive the script that started them, even when it crashes.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function startProcess(binary: string, args: string[], logFile: string): ChildProcess {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(binary, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Starts the Temporal dev server with the project's search attributes registered. */
async function startTemporal(options: StackOptions): Promise<{ child: ChildProcess; address: string; uiUrl?: string }> {
  const binary = ensureTemporalCli();
  const port = options.temporalPort ?? (await freePort());
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
  for (const key of orderSearchAttributes) args.push('--search-attribute', `${key.name}=${cliTypeNames[key.type]}`);
  if (options.persistent) args.push('--db-filename', path.join(options.dataDir, 'temporal.sqlite'));
  let uiUrl: string | undefined;
  if (options.uiPort === undefined) args.push('--headless');
  else {
    args.push('--ui-port', String(options.uiPort));
    uiUrl = `http://127.0.0.1:${options.uiPort}`;
  }
  const child = startProcess(binary, args, path.join(options.logDir, 'temporal.log'));
  await waitForPort(port, 'Temporal dev server', child);
  await waitForSearchAttributes(`127.0.0.1:${port}`);
  return { child, address: `127.0.0.1:${port}`, uiUrl };
}

/**
 * Resolves once the server answers and lists every custom search attribute of the project. The dev server registers
 * its `--search-attribute` flags in a new database only: one kept from an earlier version of the project (`npm run
 * dev`'s .data) lacks the attributes added since, so those still missing once the server answers are added here.
 */
async function waitForSearchAttributes(address: string, timeoutMs = 60_000): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
        const missing = orderSearchAttributes.filter((key) => customAttributes?.[key.name] === undefined);
        if (missing.length === 0) return;
        const types = missing.map((key) => [key.name, temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`]]);
        // The server may be adding them itself in a new database: a clash is answered, and the next listing tells.
        await connection.operatorService
          .addSearchAttributes({ namespace: 'default', searchAttributes: Object.fromEntries(types) })
          .catch(() => undefined);
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new Error('the Temporal dev server did not register the search attributes in time');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await connection.close();
  }
}

/** The backend FerretDB runs on. */
function handlerOf(options: StackOptions, env: NodeJS.ProcessEnv): FerretHandler {
  const chosen = options.handler ?? (env.FERRETDB_HANDLER || 'postgresql');
  if (chosen !== 'postgresql' && chosen !== 'sqlite')
    throw new InstallError(`FERRETDB_HANDLER must be postgresql or sqlite, not "${chosen}".`);
  return chosen;
}

/** A running FerretDB and, on the PostgreSQL backend, its cluster (stopped after FerretDB). */
interface RunningDatabase {
  uri: string;
  postgresqlUrl?: string;
  stop(): Promise<void>;
}

/** Starts FerretDB: on PostgreSQL (its cluster in <dataDir>/postgres, started first) or on SQLite files in <dataDir>/ferretdb. */
async function startFerretDb(options: StackOptions, env: NodeJS.ProcessEnv): Promise<RunningDatabase> {
  const handler = handlerOf(options, env);
  const binary = ensureFerretDb();
  const port = options.mongoPort ?? (await freePort());
  const args = ['-listen', `127.0.0.1:${port}`, '-log-level', 'error'];
  let postgres: Postgres | undefined;
  if (handler === 'postgresql') {
    postgres = await startPostgres({ dataDir: options.dataDir, port: options.postgresPort ?? (await freePort()), logDir: options.logDir });
    args.push('-postgresql-url', postgres.url);
  } else {
    args.push('-data', path.join(options.dataDir, 'ferretdb'));
  }
  const child = startProcess(binary, args, path.join(options.logDir, 'ferretdb.log'));
  const stop = async () => {
    await stopProcess(child);
    await postgres?.stop();
  };
  try {
    await waitForPort(port, 'FerretDB', child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { uri: `mongodb://127.0.0.1:${port}/${options.database}`, postgresqlUrl: postgres?.url, stop };
}

/**
 * Brings up the stack. TEMPORAL_ADDRESS / MONGODB_URI, when set, name servers to use instead:
 * then nothing is installed or started for that part.
 */
export async function startStack(options: StackOptions, env: NodeJS.ProcessEnv = process.env): Promise<Stack> {
  mkdirSync(options.dataDir, { recursive: true });
  mkdirSync(options.logDir, { recursive: true });
  const children: ChildProcess[] = [];
  let database: RunningDatabase | undefined;
  const stop = async () => {
    await Promise.all([...children.map(stopProcess), database?.stop()]);
  };
  try {
    let temporalAddress = env.TEMPORAL_ADDRESS;
    let temporalUiUrl = env.TEMPORAL_UI_URL;
    if (!temporalAddress) {
      const temporal = await startTemporal(options);
      children.push(temporal.child);
      temporalAddress = temporal.address;
      temporalUiUrl = temporal.uiUrl;
    }
    let mongoUri = env.MONGODB_URI;
    if (!mongoUri) {
      database = await startFerretDb(options, env);
      mongoUri = database.uri;
    }
    return { temporalAddress, temporalUiUrl, mongoUri, postgresqlUrl: database?.postgresqlUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Starts the database alone, FerretDB on a given port with its backend (tests stop and restart the database);
 * `stop` stops FerretDB, then its PostgreSQL cluster. A persistent data folder keeps the data across restarts.
 */
export async function startDatabase(
  options: StackOptions & { mongoPort: number },
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningDatabase> {
  mkdirSync(options.dataDir, { recursive: true });
  mkdirSync(options.logDir, { recursive: true });
  return startFerretDb(options, env);
}
