/** MongoDB connection (MongoDB in production, FerretDB locally): one connection per process. */
import mongoose from 'mongoose';
import { registerModels, type Models } from './models';

/** An open database with its models. */
export interface Database {
  connection: mongoose.Connection;
  models: Models;
  /** True when the server answers a ping. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Connects, registers models and makes sure their indexes exist (idempotent). */
export async function connectDatabase(uri: string): Promise<Database> {
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: 5_000,
    autoIndex: false,
    autoCreate: false,
  });
  await connection.asPromise();
  const models = registerModels(connection);
  await Promise.all(Object.values(models).map((model) => model.createIndexes()));
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

/** True for a duplicate-key error: the unique index said this already happened. */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === 11000;
}
