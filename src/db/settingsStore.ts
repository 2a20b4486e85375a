/**
 * Run-time settings (policy, routing rules, warehouse network): versioned, validated on read, cached by version. A
 * process asks for the latest version at most once per SETTINGS_FRESHNESS_MS: every order reads several settings, and
 * each read would otherwise cost a lookup. A version saved in this process is in force in it at once.
 */
import type { z } from 'zod';
import { isDuplicateKey } from './connection';
import type { Models } from './models';

/** One stored version of a settings document. */
export interface SettingsVersion<T> {
  version: number;
  body: T;
  actor: string;
  at: Date;
}

/** How long a process goes on with the version it last looked up before it looks again: a save elsewhere reaches it within this time. */
export const SETTINGS_FRESHNESS_MS = 1_000;

/** Raised when a settings document in the database no longer matches its schema. */
export class CorruptSettingsError extends Error {
  override name = 'CorruptSettingsError';
}

/** Raised when an edit was based on a version that is no longer the latest. */
export class SettingsConflictError extends Error {
  override name = 'SettingsConflictError';
}

/** Reads and writes versioned settings documents of one kind. */
export interface SettingsStore<T> {
  /**
   * The latest version, or the fallback (version 0) when none was stored: as looked up less than SETTINGS_FRESHNESS_MS
   * ago, or looked up now when `fresh` (an edit's base) or when that lookup is older.
   */
  latest(options?: { fresh?: boolean }): Promise<SettingsVersion<T>>;
  /** Stores a new version; `expectedVersion` guards against a concurrent edit. */
  save(body: T, actor: string, expectedVersion?: number): Promise<SettingsVersion<T>>;
  /** Every stored version, newest first. */
  history(limit: number): Promise<SettingsVersion<T>[]>;
}

/** Creates the store of one settings kind. The parsed body is cached until a newer version appears; `now` is the freshness clock. */
export function createSettingsStore<T>(
  models: Models,
  kind: string,
  schema: z.ZodType<T>,
  fallback: T,
  now: () => number = Date.now,
): SettingsStore<T> {
  let cached: SettingsVersion<T> | undefined;
  /** The version in force as of the last lookup (or save here), and when that was. */
  let known: { version: SettingsVersion<T>; at: number } | undefined;
  const remember = (version: SettingsVersion<T>, at: number) => {
    known = { version, at };
    return version;
  };
  const parse = (doc: { version: number; body: unknown; actor: string; at: Date }): SettingsVersion<T> => {
    const parsed = schema.safeParse(doc.body);
    if (!parsed.success) throw new CorruptSettingsError(`settings ${kind} v${doc.version} is invalid: ${parsed.error.issues[0]?.message}`);
    return { version: doc.version, body: parsed.data, actor: doc.actor, at: doc.at };
  };
  const latestVersion = async (): Promise<number> => {
    const head = await models.SettingsVersion.findOne({ kind }, { version: 1 }).sort({ version: -1 }).lean();
    return head?.version ?? 0;
  };
  return {
    async latest(options = {}) {
      const at = now();
      if (known && !options.fresh && at - known.at < SETTINGS_FRESHNESS_MS) return known.version;
      const version = await latestVersion();
      if (version === 0) return remember({ version: 0, body: fallback, actor: 'default', at: new Date(0) }, at);
      if (cached?.version !== version) {
        const doc = await models.SettingsVersion.findOne({ kind, version }).lean();
        if (!doc) return this.latest({ fresh: true });
        cached = parse(doc);
      }
      return remember(cached, at);
    },
    async save(body, actor, expectedVersion) {
      const current = await latestVersion();
      if (expectedVersion !== undefined && expectedVersion !== current) {
        throw new SettingsConflictError(`settings ${kind} are at version ${current}, not ${expectedVersion}`);
      }
      const doc = { kind, version: current + 1, body: schema.parse(body), actor, at: new Date() };
      try {
        await models.SettingsVersion.create(doc);
      } catch (error) {
        // The unique (kind, version) index: someone else saved this version first.
        if (isDuplicateKey(error)) throw new SettingsConflictError(`settings ${kind} changed concurrently; reload and retry`);
        throw error;
      }
      cached = { version: doc.version, body: doc.body, actor, at: doc.at };
      return remember(cached, now());
    },
    async history(limit) {
      const docs = await models.SettingsVersion.find({ kind }).sort({ version: -1 }).limit(limit).lean();
      return docs.map(parse);
    },
  };
}
