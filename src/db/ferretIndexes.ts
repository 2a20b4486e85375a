/**
 * GIN expression indexes that let FerretDB v1.24 on PostgreSQL serve the order path's reads from an index.
 *
 * FerretDB v1 keeps each Mongo database as a PostgreSQL schema and each collection as a table of one `_jsonb`
 * column (the table names are in the schema's `_ferretdb_database_metadata` table). It pushes an equality filter
 * down as `_jsonb -> 'field' @> '"value"'`, but the indexes it creates itself for the mongoose indexes are B-trees
 * on `((_jsonb -> 'field'))`, which `@>` cannot use: every read is a Seq Scan. A GIN index on the same expression
 * serves `@>`, so for every field the mongoose schemas index (read from the schemas' own `.indexes()`, so the two
 * never drift) and for `_id` this module adds `<table>_<field>_gin`, idempotently. FerretDB never sees them (its
 * metadata does not list them) and drops them with their table. Only for the local stack: MongoDB needs none of it.
 */
import { createHash } from 'node:crypto';
import type { Schema } from 'mongoose';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';

/** A collection and the top-level fields whose equality filters should be index-served. */
export interface GinPlan {
  collection: string;
  fields: string[];
}

/** The GIN indexes one call made sure of. */
export interface GinIndex {
  collection: string;
  table: string;
  field: string;
  name: string;
}

const METADATA_TABLE = '_ferretdb_database_metadata';
const MAX_IDENTIFIER = 63;

/**
 * `_id` and every field a schema's indexes name, in the order declared. Dotted paths are left out: FerretDB v1.24
 * does not push nested filters down, so no index on them could ever be used.
 */
export function indexedFields(schema: Schema): string[] {
  const fields = new Set(['_id']);
  for (const [keys] of schema.indexes()) for (const field of Object.keys(keys)) if (!field.includes('.')) fields.add(field);
  return [...fields];
}

/** The plan for a set of models: one entry per collection, its fields read from the model's schema. */
export function ginPlanOf(models: Record<string, { collection: { collectionName: string }; schema: Schema }>): GinPlan[] {
  return Object.values(models).map((model) => ({ collection: model.collection.collectionName, fields: indexedFields(model.schema) }));
}

/** `<table>_<field>_gin`, shortened with a hash when PostgreSQL's 63-byte limit would cut it. */
export function ginIndexName(table: string, field: string): string {
  const plain = `${table}_${field}_gin`;
  if (Buffer.byteLength(plain) <= MAX_IDENTIFIER) return plain;
  const hash = createHash('sha256').update(`${table}\0${field}`).digest('hex').slice(0, 8);
  return `${Buffer.from(plain)
    .subarray(0, MAX_IDENTIFIER - 13)
    .toString('utf8')
    .replace(/\uFFFD$/, '')}_${hash}_gin`;
}

/** The statement that creates one index unless it exists. */
export function ginIndexStatement(schema: string, table: string, field: string): string {
  return (
    `CREATE INDEX IF NOT EXISTS ${escapeIdentifier(ginIndexName(table, field))} ` +
    `ON ${escapeIdentifier(schema)}.${escapeIdentifier(table)} USING gin ((_jsonb -> ${escapeLiteral(field)}))`
  );
}

/**
 * Creates the GIN indexes of the plan on the FerretDB tables of Mongo database `database` that exist (collections
 * must have been created first), plus `_id` on any other collection; returns them. Idempotent, and safe when
 * several processes start at once (one advisory lock per database).
 */
export async function ensureFerretGinIndexes(postgresqlUrl: string, database: string, plan: GinPlan[]): Promise<GinIndex[]> {
  const client = new Client({ connectionString: postgresqlUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT to_regclass($1) AS table', [`${escapeIdentifier(database)}.${METADATA_TABLE}`]);
    if (!exists.rows[0]?.table) return [];
    const lock = `orderhub-gin:${database}`;
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lock]);
    try {
      const { rows } = await client.query<{ collection: string; table: string }>(
        `SELECT _jsonb ->> '_id' AS collection, _jsonb ->> 'table' AS table FROM ${escapeIdentifier(database)}.${METADATA_TABLE}`,
      );
      // Existing ones are skipped here rather than by IF NOT EXISTS alone, which would still lock each table against writes.
      const existing = await client.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = $1', [database]);
      const present = new Set(existing.rows.map((r) => r.indexname));
      const wanted = new Map(plan.map((p) => [p.collection, p.fields]));
      const made: GinIndex[] = [];
      for (const { collection, table } of rows) {
        for (const field of wanted.get(collection) ?? ['_id']) {
          const name = ginIndexName(table, field);
          if (!present.has(name)) await client.query(ginIndexStatement(database, table, field));
          made.push({ collection, table, field, name });
        }
      }
      return made;
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lock]);
    }
  } finally {
    await client.end();
  }
}
