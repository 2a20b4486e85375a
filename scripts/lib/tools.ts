/** Installs the local stack's tools (Temporal CLI, FerretDB launcher) into the project's .tools folder. */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Project root. */
export const root = path.resolve(__dirname, '..', '..');
/** Where installed binaries live (git-ignored). */
export const toolsBin = path.join(root, '.tools', 'bin');
/** The Temporal CLI version this project pins. */
export const temporalCliModule = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
const ferretSource = path.join(root, 'scripts', 'ferretdb');

/** Raised when the stack cannot be installed; its message is one sentence for the user. */
export class InstallError extends Error {
  override name = 'InstallError';
}

function requireGo(what: string): void {
  const probe = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (probe.status === 0) return;
  throw new InstallError(
    `Go (1.24 or later) is needed to install ${what}: install Go from your package manager, ` +
      'or set TEMPORAL_ADDRESS and MONGODB_URI to use servers you already run.',
  );
}

function goRun(args: string[], cwd: string, what: string): void {
  const started = Date.now();
  console.log(`[stack] installing ${what} (first run only, a few minutes)…`);
  const result = spawnSync('go', args, {
    cwd,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOBIN: toolsBin, GOFLAGS: '-buildvcs=false' },
  });
  if (result.status !== 0) {
    throw new InstallError(`"go ${args.join(' ')}" failed (exit ${result.status}) while installing ${what}; see the output above.`);
  }
  console.log(`[stack] ${what} installed in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** Path of the Temporal CLI, installing it from the Go module proxy when missing. */
export function ensureTemporalCli(): string {
  const binary = path.join(toolsBin, 'temporal');
  if (existsSync(binary)) return binary;
  requireGo('the Temporal CLI');
  mkdirSync(toolsBin, { recursive: true });
  goRun(['install', temporalCliModule], root, `Temporal CLI (${temporalCliModule})`);
  return binary;
}

/** Path of the FerretDB launcher, rebuilding it when its source changed. */
export function ensureFerretDb(): string {
  const binary = path.join(toolsBin, 'ferretdb');
  const stamp = `${binary}.sha256`;
  const digest = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) digest.update(readFileSync(path.join(ferretSource, file)));
  const wanted = digest.digest('hex');
  if (existsSync(binary) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return binary;
  requireGo('FerretDB');
  mkdirSync(toolsBin, { recursive: true });
  goRun(['build', '-o', binary, '.'], ferretSource, 'FerretDB v1.24 launcher');
  writeFileSync(stamp, wanted);
  return binary;
}

/** Version line of an installed binary, for logs. */
export function versionOf(binary: string): string {
  return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
}
