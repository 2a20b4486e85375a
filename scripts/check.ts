/**
 * `npm run check`: checks the hub's invariants (issue 13) on the database and Temporal namespace the app is configured
 * for (MONGODB_URI, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE), prints a table and the first findings,
 * and exits 1 on any violation, 2 on a usage or connection error. It only reads; run it on a quiet hub, since orders
 * moving while it reads can look briefly out of step.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { loadConfig } from '../src/config';
import { connectDatabase, type Database } from '../src/db/connection';
import { createStores } from '../src/db/stores';
import { durationSchema } from '../src/domain/escalation';
import { formatReport } from './lib/check/report';
import { listOrderWorkflowRuns, liveViewsFrom, runChecks, type CheckOptions } from './lib/check/run';

const USAGE = `Usage: npm run check -- [options]

  --effects <file.json>    partners' effect counts per idempotency key ({"<key>": <effects>}), as the drill's
                           partner servers write them; without it the deliveries log alone is checked
  --json                   print the report as JSON
  --limit <n>              findings printed under the table (default 20)
  --stale-pending <time>   a delivery pending longer than this is a warning, or a violation once its order's
                           workflow has closed (default 1h; e.g. 30m, 2h, 1d)
  --settle <time>          how long a workflow just started may lack its order record (default 60s)

Connects as the app does: MONGODB_URI, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE.
Exit status: 0 every invariant holds (warnings allowed), 1 a violation, 2 a usage or connection error.`;

/** A problem with how the checker was called or with what it was given, before anything was checked. */
class UsageError extends Error {}

const effectsSchema = z.record(z.string(), z.number().int().nonnegative());

function secondsOf(text: string, flag: string): number {
  const parsed = durationSchema.safeParse(text);
  if (!parsed.success) throw new UsageError(`${flag}: ${parsed.error.issues[0]?.message ?? 'not a duration'}`);
  return parsed.data;
}

function readEffects(file: string): Map<string, number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--effects: cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`--effects: ${file} is not JSON`);
  }
  const parsed = effectsSchema.safeParse(json);
  if (!parsed.success)
    throw new UsageError(`--effects: ${file} must map idempotency keys to effect counts: ${z.prettifyError(parsed.error)}`);
  return new Map(Object.entries(parsed.data));
}

function parseOptions(argv: string[]): { options: CheckOptions; json: boolean; limit: number } | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        effects: { type: 'string' },
        json: { type: 'boolean', default: false },
        limit: { type: 'string', default: '20' },
        'stale-pending': { type: 'string', default: '1h' },
        settle: { type: 'string', default: '60s' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError('--limit: a whole number of findings');
  return {
    options: {
      ...(values.effects ? { effects: readEffects(values.effects) } : {}),
      stalePendingMs: secondsOf(values['stale-pending'], '--stale-pending') * 1000,
      settleMs: secondsOf(values.settle, '--settle') * 1000,
    },
    json: values.json,
    limit,
  };
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed === 'help') {
    console.log(USAGE);
    return 0;
  }
  let db: Database | undefined;
  let connection: Connection | undefined;
  try {
    const config = loadConfig(process.env);
    db = await connectDatabase(config.MONGODB_URI, { ferretdbPostgresqlUrl: config.FERRETDB_POSTGRESQL_URL });
    connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: '10s' });
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const runs = await listOrderWorkflowRuns(client, config.TEMPORAL_TASK_QUEUE);
    const report = await runChecks(createStores(db), runs, { ...parsed.options, liveView: liveViewsFrom(client) });
    console.log(parsed.json ? JSON.stringify(report, null, 2) : formatReport(report, parsed.limit));
    return report.ok ? 0 : 1;
  } catch (error) {
    console.error(`check: could not finish: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  } finally {
    await connection?.close().catch(() => undefined);
    await db?.close().catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
