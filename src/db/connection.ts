/** MongoDB connection (MongoDB in production, FerretDB locally): one connection per process. */
import mongoose from 'mongoose';
import { observeDbOperation } from '../metrics/hub';
import { ensureFerretGinIndexes, ginPlanOf } from './ferretIndexes';
import { registerModels, type Models } from './models';

/** An open database with its models. */
export interface Database {
  connection: mongoose.Connection;
  models: Models;
  /** True when the server answers a ping. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** How to connect. */
export interface ConnectOptions {
  /**
   * The PostgreSQL database behind FerretDB, when the database is FerretDB on PostgreSQL (the local stack): then the
   * GIN indexes that let it serve the schemas' indexed fields from an index are made sure of too (./ferretIndexes.ts).
   */
  ferretdbPostgresqlUrl?: string;
}

/** Connects, registers models and makes sure their indexes exist (idempotent). */
export async function connectDatabase(uri: string, options: ConnectOptions = {}): Promise<Database> {
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: 5_000,
    autoIndex: false,
    autoCreate: false,
    // Command events feed orderhub_db_operation_seconds.
    monitorCommands: true,
  });
  await connection.asPromise();
  const client = connection.getClient();
  client.on('commandSucceeded', (event) => observeDbOperation(event.commandName, event.duration / 1000));
  client.on('commandFailed', (event) => observeDbOperation(event.commandName, event.duration / 1000));
  const models = registerModels(connection);
  await Promise.all(Object.values(models).map((model) => model.createIndexes()));
  if (options.ferretdbPostgresqlUrl) {
    // A collection is a FerretDB table only once it exists (createIndexes makes those with indexes; this, the rest).
    await Promise.all(Object.values(models).map((model) => model.createCollection()));
    await ensureFerretGinIndexes(options.ferretdbPostgresqlUrl, connection.name, ginPlanOf(models));
  }
  return {
    connection,
    models,
    async ping() {
      try {
        const db = connection.db;
        if (!db) return false;
        await db.admin().command({ ping: 1 }, { timeoutMS: 2_000 });
        return true;
      } catch {
        return false;
      }
    },
    close: () => connection.close(),
  };
}

/** Inserts a document once: false when a unique index says it is already there (a retry), true when inserted. */
export async function insertOnce(model: { create(doc: object): Promise<unknown> }, doc: object): Promise<boolean> {
  try {
    await model.create(doc);
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

/** Socket failures the driver can pass on as they are when the server goes away under a command (EPIPE: "ended by the other party"). */
const SOCKET_FAILURES = ['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ERR_SOCKET_CLOSED'];

/**
 * True for a database that cannot be reached right now (refused, timed out, no server to select, commands buffered too
 * long, or its socket closed under a command).
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  const { mongo } = mongoose;
  return (
    (error instanceof Error && SOCKET_FAILURES.includes(String((error as NodeJS.ErrnoException).code))) ||
    error instanceof mongo.MongoNetworkError ||
    error instanceof mongo.MongoServerSelectionError ||
    error instanceof mongo.MongoNotConnectedError ||
    error instanceof mongo.MongoTopologyClosedError ||
    (error instanceof mongoose.Error && /buffering timed out/.test(error.message))
  );
}

/** True for a duplicate-key error: the unique index said this already happened. */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === 11000;
}

/** Inserts documents in one round trip; those a unique index says are already there (a retry) are skipped. */
export async function insertAllOnce(
  model: { insertMany(docs: object[], options: { ordered: false }): Promise<unknown> },
  docs: object[],
): Promise<void> {
  if (docs.length === 0) return;
  try {
    await model.insertMany(docs, { ordered: false });
  } catch (error) {
    const failures = (error as { writeErrors?: unknown[] }).writeErrors;
    if (Array.isArray(failures) && failures.length > 0 && failures.every(isDuplicateKey)) return;
    if (!isDuplicateKey(error)) throw error;
  }
}
