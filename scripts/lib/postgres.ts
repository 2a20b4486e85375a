/**
 * The local stack's PostgreSQL 15 (Debian's, found with `pg_config`): one cluster per data folder in
 * `<dataDir>/postgres`, created once with initdb, listening on a loopback port only, trust auth for the local
 * user `orderhub`, holding the database FerretDB runs on. PostgreSQL refuses to run as root, so when this
 * script is root the cluster belongs to, and runs as, the unprivileged user `postgres` (setpriv, no shell).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { InstallError } from './tools';

/** The PostgreSQL role FerretDB and the index module connect as (trust auth on loopback). */
export const postgresRole = 'orderhub';
/** The PostgreSQL database FerretDB keeps every Mongo database in (one schema each). */
export const ferretDatabase = 'ferretdb';
/** The unprivileged OS user the cluster runs as when the scripts run as root. */
const runAsUser = process.env.ORDERHUB_POSTGRES_USER ?? 'postgres';

/** A running cluster. */
export interface Postgres {
  /** postgres://orderhub@127.0.0.1:<port>/ferretdb */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Where the cluster lives and what it listens on. */
export interface PostgresOptions {
  /** The cluster goes in `<dataDir>/postgres`. */
  dataDir: string;
  port: number;
  logDir: string;
}

const installHint =
  'PostgreSQL 15 is needed for the local database (FerretDB runs on it): apt-get install postgresql-15 ' +
  '(or set FERRETDB_HANDLER=sqlite, or MONGODB_URI to a server you already run).';

/** The folder of PostgreSQL's server binaries: `pg_config --bindir`, else the newest of Debian's /usr/lib/postgresql/<v>/bin. */
export function postgresBinDir(): string {
  const probe = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const fromConfig = probe.status === 0 ? probe.stdout.trim() : '';
  if (fromConfig && existsSync(path.join(fromConfig, 'initdb'))) return fromConfig;
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((v) => existsSync(path.join(debian, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return path.join(debian, versions[0], 'bin');
  throw new InstallError(installHint);
}

/** How to run a PostgreSQL binary: as is, or (when root) as the unprivileged user through setpriv, which execs it directly. */
function runner(): { uid: number; gid: number; wrap(binary: string, args: string[]): [string, string[]] } {
  if (process.getuid?.() !== 0) {
    return { uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1, wrap: (binary, args) => [binary, args] };
  }
  const id = (flag: string) => spawnSync('id', [flag, runAsUser], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) {
    throw new InstallError(
      `PostgreSQL refuses to run as root and the user "${runAsUser}" does not exist: apt-get install postgresql-15 creates it ` +
        '(or set ORDERHUB_POSTGRES_USER to another unprivileged user).',
    );
  }
  const ids = { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  return {
    ...ids,
    wrap: (binary, args) => ['setpriv', [`--reuid=${ids.uid}`, `--regid=${ids.gid}`, '--clear-groups', '--', binary, ...args]],
  };
}

/** Every folder above the cluster must be searchable by its user (a mkdtemp folder is 0700): adds o+x where missing. */
function makeReachable(dir: string, uid: number): void {
  if (process.getuid?.() !== 0) return;
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    const stat = statSync(current);
    if (stat.uid !== uid && (stat.mode & 0o001) === 0) {
      chmodSync(current, (stat.mode & 0o7777) | 0o001);
      if (!current.startsWith(os.tmpdir())) console.log(`[stack] made ${current} searchable (o+x) for PostgreSQL's user ${runAsUser}`);
    }
    if (current === path.dirname(current)) return;
  }
}

/** Creates the cluster once (initdb); a half-made one is removed so the next run starts over. */
function initCluster(binDir: string, clusterDir: string, run: ReturnType<typeof runner>, logFile: string): void {
  if (existsSync(path.join(clusterDir, 'PG_VERSION'))) return;
  rmSync(clusterDir, { recursive: true, force: true });
  mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  if (process.getuid?.() === 0) chownSync(clusterDir, run.uid, run.gid);
  makeReachable(clusterDir, run.uid);
  const [command, args] = run.wrap(path.join(binDir, 'initdb'), [
    '--pgdata',
    clusterDir,
    '--username',
    postgresRole,
    '--auth-local=trust',
    '--auth-host=trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-instructions',
  ]);
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    rmSync(clusterDir, { recursive: true, force: true });
    throw new Error(`initdb failed (exit ${result.status}) for ${clusterDir}: ${(result.stderr || result.stdout).trim().slice(-500)}`);
  }
  createWriteStream(logFile, { flags: 'a' }).end(result.stdout);
}

const running = new Set<ChildProcess>();
// A cluster must not outlive the script that started it: SIGQUIT is PostgreSQL's immediate shutdown (it ends its backends too).
process.once('exit', () => {
  for (const child of running) child.kill('SIGQUIT');
});

/** Resolves once the server accepts a connection and answers. */
async function waitForServer(port: number, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`PostgreSQL exited with code ${child.exitCode} before it was ready; see postgres.log`);
    const client = new Client({ host: '127.0.0.1', port, user: postgresRole, database: 'postgres', connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections on port ${port} in time: ${String(error)}`);
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Creates FerretDB's database in the cluster unless it is there. */
async function ensureDatabase(port: number): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user: postgresRole, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [ferretDatabase]);
    if (!rowCount) await client.query(`CREATE DATABASE ${ferretDatabase}`);
  } finally {
    await client.end();
  }
}

/** Stops the server with a fast shutdown (clients disconnected, data flushed); immediate shutdown after 15 s. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGQUIT'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Starts the cluster of a data folder (creating it on first use) and FerretDB's database in it. */
export async function startPostgres(options: PostgresOptions): Promise<Postgres> {
  const binDir = postgresBinDir();
  const run = runner();
  const clusterDir = path.join(options.dataDir, 'postgres');
  const logFile = path.join(options.logDir, 'postgres.log');
  mkdirSync(options.logDir, { recursive: true });
  initCluster(binDir, clusterDir, run, logFile);
  makeReachable(clusterDir, run.uid);
  const [command, args] = run.wrap(path.join(binDir, 'postgres'), [
    '-D',
    clusterDir,
    '-p',
    String(options.port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    // FerretDB sends the field name as a bound parameter (`_jsonb -> $1 @> $2`): only a plan made for the actual
    // values can match the GIN expression indexes on `(_jsonb -> 'field')`, so never fall back to a generic plan.
    '-c',
    'plan_cache_mode=force_custom_plan',
    '-c',
    'max_connections=200',
    // The data is in memory (or on SSD): a page read at random costs about what one read in sequence does. At the
    // default 4.0 the planner scanned young tables whole (the read model's guarded update, three times per order)
    // until they passed its break-even, so the database's share per order grew over a run (BENCHMARKS.md).
    '-c',
    'random_page_cost=1.1',
  ]);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  try {
    await waitForServer(options.port, child);
    await ensureDatabase(options.port);
  } catch (error) {
    await stopServer(child);
    throw error;
  }
  return {
    url: `postgres://${postgresRole}@127.0.0.1:${options.port}/${ferretDatabase}`,
    port: options.port,
    stop: () => stopServer(child),
  };
}
