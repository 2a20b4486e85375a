/**
 * Owner of the accounts of the parties that report shipments — warehouses (WMS), carriers, drop-ship suppliers — and
 * of their API keys: issued once, stored hashed, rotatable, revocable, with the time each was last used.
 *
 * A key reads `ohk_<keyId>_<secret>`: the key id is the key document's `_id` (one primary-key read, index-served on
 * MongoDB and on FerretDB alike), the secret 256 random bits of which only a SHA-256 digest is kept.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { insertOnce, isDuplicateKey } from './connection';
import type { Models } from './models';

/** The kinds of party that hold an account. */
export const accountKinds = ['warehouse', 'carrier', 'supplier'] as const;
/** A party's kind: a warehouse (WMS), a carrier or a drop-ship supplier. */
export type AccountKind = (typeof accountKinds)[number];

/** One key of an account as operations see it: never its secret nor its hash. */
export interface ApiKeyState {
  keyId: string;
  accountId: string;
  label?: string;
  createdAt: Date;
  createdBy: string;
  lastUsedAt?: Date;
  revokedAt?: Date;
  revokedBy?: string;
}

/** A newly issued key: its state and the key itself, which exists nowhere else and is shown this once. */
export interface IssuedKey extends ApiKeyState {
  apiKey: string;
}

/** An account with its keys, oldest key first. */
export interface Account {
  /** `{kind}:{partyId}`. */
  id: string;
  kind: AccountKind;
  /** The warehouse id, carrier code or supplier id the account's keys act as. */
  partyId: string;
  name: string;
  createdAt: Date;
  createdBy: string;
  keys: ApiKeyState[];
}

/** What a presented key turned out to be. */
export type KeyCheck =
  | { status: 'valid'; keyId: string; kind: AccountKind; partyId: string; lastUsedAt?: Date }
  | { status: 'revoked'; keyId: string }
  | { status: 'unknown' };

/** Raised when the party already has an account. */
export class AccountExistsError extends Error {
  override name = 'AccountExistsError';
}

/** Raised when no account has the given id. */
export class UnknownAccountError extends Error {
  override name = 'UnknownAccountError';
}

/** Raised when the account has no key with the given id. */
export class UnknownKeyError extends Error {
  override name = 'UnknownKeyError';
}

/** The account id of a party: unique per kind and party id, because it is the primary key. */
export const accountIdOf = (kind: AccountKind, partyId: string): string => `${kind}:${partyId}`;

/** Last-used times move at most this often per key: a busy WMS would otherwise turn every read into a write. */
const LAST_USED_RESOLUTION_MS = 60_000;
const KEY_PATTERN = /^ohk_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;
// Compared against when the key id is unknown, so a miss costs the same comparison as a wrong secret.
const NO_HASH = Buffer.alloc(32);

/**
 * SHA-256, not a slow password hash: the secret is 256 random bits, so a leaked digest cannot be brute-forced
 * anyway, and a deliberately slow hash would only add tens of milliseconds of CPU to every authenticated request.
 * The whole key is hashed, so a digest is bound to its key id.
 */
const digestOf = (apiKey: string): Buffer => createHash('sha256').update(apiKey).digest();

/** A fresh key id and key; hex ids carry no `_`, so the key splits unambiguously. */
function newKey(): { keyId: string; apiKey: string } {
  const keyId = randomBytes(12).toString('hex');
  return { keyId, apiKey: `ohk_${keyId}_${randomBytes(32).toString('base64url')}` };
}

interface KeyDoc {
  _id: string;
  accountId: string;
  label?: string | null;
  createdAt: Date;
  createdBy: string;
  lastUsedAt?: Date | null;
  revokedAt?: Date | null;
  revokedBy?: string | null;
}

interface AccountDoc {
  _id: string;
  kind: AccountKind;
  partyId: string;
  name: string;
  createdAt: Date;
  createdBy: string;
}

function keyStateOf(doc: KeyDoc): ApiKeyState {
  return {
    keyId: doc._id,
    accountId: doc.accountId,
    ...(doc.label ? { label: doc.label } : {}),
    createdAt: doc.createdAt,
    createdBy: doc.createdBy,
    ...(doc.lastUsedAt ? { lastUsedAt: doc.lastUsedAt } : {}),
    ...(doc.revokedAt ? { revokedAt: doc.revokedAt } : {}),
    ...(doc.revokedBy ? { revokedBy: doc.revokedBy } : {}),
  };
}

function accountOf(doc: AccountDoc, keys: KeyDoc[]): Account {
  return {
    id: doc._id,
    kind: doc.kind,
    partyId: doc.partyId,
    name: doc.name,
    createdAt: doc.createdAt,
    createdBy: doc.createdBy,
    keys: keys.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a._id.localeCompare(b._id)).map(keyStateOf),
  };
}

/** Creates the owner over a database's models; `now` is the clock of creation, revocation and last-used times. */
export function createAccounts(models: Models, now: () => Date = () => new Date()) {
  const { Account: Accounts, AccountKey: Keys } = models;
  /** When this process last wrote each key's last-used time, so a burst of requests writes it once. */
  const lastWritten = new Map<string, number>();

  /** Inserts a new key of an account; the key itself is returned to the caller and kept nowhere. */
  const issue = async (account: AccountDoc, label: string | undefined, actor: string): Promise<{ doc: KeyDoc; apiKey: string }> => {
    // 96 random bits make a repeated key id all but impossible; the primary key turns one into a retry, not a clash.
    for (let attempt = 1; ; attempt += 1) {
      const { keyId, apiKey } = newKey();
      const doc = {
        _id: keyId,
        accountId: account._id,
        kind: account.kind,
        partyId: account.partyId,
        hash: digestOf(apiKey).toString('hex'),
        ...(label ? { label } : {}),
        createdAt: now(),
        createdBy: actor,
      };
      if (await insertOnce(Keys, doc)) return { doc, apiKey };
      if (attempt === 3) throw new Error('could not draw an unused key id');
    }
  };

  const accountDoc = async (accountId: string): Promise<AccountDoc> => {
    const doc = await Accounts.findById(accountId).lean();
    if (!doc) throw new UnknownAccountError(`no account ${accountId}`);
    return doc;
  };

  return {
    /** Creates a party's account with its first key; AccountExistsError when the party has one. */
    async create(input: {
      kind: AccountKind;
      partyId: string;
      name: string;
      keyLabel?: string;
      actor: string;
    }): Promise<{ account: Account; key: IssuedKey }> {
      const doc: AccountDoc = {
        _id: accountIdOf(input.kind, input.partyId),
        kind: input.kind,
        partyId: input.partyId,
        name: input.name,
        createdAt: now(),
        createdBy: input.actor,
      };
      try {
        await Accounts.create(doc);
      } catch (error) {
        if (isDuplicateKey(error)) throw new AccountExistsError(`${doc._id} already has an account`);
        throw error;
      }
      const issued = await issue(doc, input.keyLabel, input.actor);
      return { account: accountOf(doc, [issued.doc]), key: { ...keyStateOf(issued.doc), apiKey: issued.apiKey } };
    },

    /** Every account, of one kind when given, by id, each with its keys. */
    async list(kind?: AccountKind): Promise<Account[]> {
      const filter = kind ? { kind } : {};
      const [accounts, keys] = await Promise.all([Accounts.find(filter).lean(), Keys.find(filter).lean()]);
      const keysOf = new Map<string, KeyDoc[]>();
      for (const key of keys) keysOf.set(key.accountId, [...(keysOf.get(key.accountId) ?? []), key]);
      return accounts.sort((a, b) => a._id.localeCompare(b._id)).map((doc) => accountOf(doc, keysOf.get(doc._id) ?? []));
    },

    /** One account with its keys; UnknownAccountError when there is none. */
    async find(accountId: string): Promise<Account> {
      const doc = await accountDoc(accountId);
      return accountOf(doc, await Keys.find({ accountId }).lean());
    },

    /** Issues another key for an account (rotation: earlier keys stay valid until revoked); UnknownAccountError. */
    async addKey(accountId: string, label: string | undefined, actor: string): Promise<IssuedKey> {
      const { doc, apiKey } = await issue(await accountDoc(accountId), label, actor);
      return { ...keyStateOf(doc), apiKey };
    },

    /** Revokes a key for good and returns its state; revoking it again changes nothing. UnknownKeyError. */
    async revokeKey(accountId: string, keyId: string, actor: string): Promise<ApiKeyState> {
      // Guarded by "not revoked yet", so the first revocation's time and actor are the ones kept.
      await Keys.updateOne({ _id: keyId, accountId, revokedAt: { $exists: false } }, { $set: { revokedAt: now(), revokedBy: actor } });
      const doc = await Keys.findOne({ _id: keyId, accountId }).lean();
      if (!doc) throw new UnknownKeyError(`account ${accountId} has no key ${keyId}`);
      return keyStateOf(doc);
    },

    /**
     * What a presented key is: one primary-key read by its key id, then a constant-time comparison of digests (also
     * made when the id is unknown). A revoked key is told apart only when its secret matches.
     */
    async check(presented: string): Promise<KeyCheck> {
      const keyId = KEY_PATTERN.exec(presented)?.[1];
      if (!keyId) return { status: 'unknown' };
      const doc = await Keys.findById(keyId).lean();
      const stored = doc ? Buffer.from(doc.hash, 'hex') : NO_HASH;
      const matches = stored.length === NO_HASH.length && timingSafeEqual(digestOf(presented), stored);
      if (!doc || !matches) return { status: 'unknown' };
      if (doc.revokedAt) return { status: 'revoked', keyId };
      return {
        status: 'valid',
        keyId,
        kind: doc.kind as AccountKind,
        partyId: doc.partyId,
        ...(doc.lastUsedAt ? { lastUsedAt: doc.lastUsedAt } : {}),
      };
    },

    /**
     * Records that a key was used now, at most once a minute per key: skipped when this process wrote it, or the
     * stored time is, less than a minute ago; the write itself is guarded the same way, so several API processes
     * together also write about once a minute. Callers do not wait for it.
     */
    async recordUse(keyId: string, storedLastUsedAt?: Date): Promise<void> {
      const at = now();
      const cutoff = at.getTime() - LAST_USED_RESOLUTION_MS;
      if (Math.max(lastWritten.get(keyId) ?? 0, storedLastUsedAt?.getTime() ?? 0) > cutoff) return;
      lastWritten.set(keyId, at.getTime());
      await Keys.updateOne(
        { _id: keyId, $or: [{ lastUsedAt: { $exists: false } }, { lastUsedAt: { $lte: new Date(cutoff) } }] },
        { $set: { lastUsedAt: at } },
      );
    },
  };
}

/** The accounts of one database. */
export type Accounts = ReturnType<typeof createAccounts>;
