/** A database of one store test file's own, on the FerretDB that scripts/run-tests.ts started; no Temporal, no API. */
import { connectDatabase, type Database } from '../../src/db/connection';

/** Opens `it_<name>_<pid>` with the project's models and indexes (the GIN indexes too, when FerretDB runs on PostgreSQL). */
export async function openStoreDatabase(name: string): Promise<Database> {
  const url = new URL(process.env.MONGODB_URI!);
  url.pathname = `/it_${name}_${process.pid}`;
  return connectDatabase(url.toString(), { ferretdbPostgresqlUrl: process.env.FERRETDB_POSTGRESQL_URL });
}

/** Drops the database and closes it; for `after`, so a failed `before` (no database) is no error of its own. */
export async function dropStoreDatabase(db: Database | undefined): Promise<void> {
  await db?.connection.dropDatabase().catch(() => undefined);
  await db?.close();
}
