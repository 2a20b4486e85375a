/**
 * Owner of the accounts of the parties that report shipments — warehouses (WMS), carriers, drop-ship suppliers — of
 * their API keys (issued once, stored hashed, rotatable, revocable, with the time each was last used), of each
 * supplier's profile and payout state, and of the audit trail of every change to an account.
 *
 * A key reads `ohk_<keyId>_<secret>`: the key id is the key document's `_id` (one primary-key read, index-served on
 * MongoDB and on FerretDB alike), the secret 256 random bits of which only a SHA-256 digest is kept.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  supplierProfileInputSchema,
  supplierProfileSchema,
  type PayoutState,
  type SupplierProfile,
  type SupplierProfileInput,
} from '../domain/supplier';
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

/** An account with its keys, oldest key first; a supplier's also with its profile and payout state. */
export interface Account {
  /** `{kind}:{partyId}`. */
  id: string;
  kind: AccountKind;
  /** The warehouse id, carrier code or supplier id the account's keys act as. */
  partyId: string;
  name: string;
  createdAt: Date;
  createdBy: string;
  /** Suppliers only; absent on a supplier account made before profiles existed. */
  supplier?: SupplierProfileInput;
  /** Suppliers only: never frozen reads `{ frozen: false }`. */
  payout?: PayoutState;
  /** Suppliers only: routing sends no new order (ES-3 or by hand), and who paused it. */
  dispatchPaused?: { by: string };
  keys: ApiKeyState[];
}

/** What a new account is: a supplier's comes with its profile, no other kind has one. */
export type NewAccount = { partyId: string; name: string; keyLabel?: string; actor: string } & (
  { kind: 'supplier'; supplier: SupplierProfileInput } | { kind: Exclude<AccountKind, 'supplier'>; supplier?: undefined }
);

/** The changes to an account its audit trail records. */
export const accountAuditActions = [
  'ACCOUNT_CREATED',
  'KEY_ISSUED',
  'KEY_REVOKED',
  'PROFILE_CHANGED',
  'PAYOUT_FROZEN',
  'PAYOUT_UNFROZEN',
  'DISPATCH_PAUSED',
  'DISPATCH_RESUMED',
] as const;
/** One kind of change to an account. */
export type AccountAuditAction = (typeof accountAuditActions)[number];

/** One change to an account: who made it, when, and before/after where they say more than the action. */
export interface AccountAuditEntry {
  accountId: string;
  at: Date;
  actor: string;
  action: AccountAuditAction;
  /** The key issued or revoked. */
  keyId?: string;
  before?: unknown;
  after?: unknown;
  /** The operator's note (an unfreeze's). */
  detail?: string;
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

/** Raised when a supplier-only change (profile) names an account of another kind. */
export class NotASupplierError extends Error {
  override name = 'NotASupplierError';
}

/** Raised when a payout change names an account the hub pays nothing to (only suppliers and warehouse partners are paid). */
export class NotAPayeeError extends Error {
  override name = 'NotAPayeeError';
}

/** Accounts the hub pays: drop-ship suppliers per parcel, warehouse partners (3PL) for their fulfilment work. */
const PAYEES: readonly AccountKind[] = ['supplier', 'warehouse'];

/** Raised when the account has no key with the given id. */
export class UnknownKeyError extends Error {
  override name = 'UnknownKeyError';
}

/** The account id of a party: unique per kind and party id, because it is the primary key. */
export const accountIdOf = (kind: AccountKind, partyId: string): string => `${kind}:${partyId}`;

/**
 * How long this process trusts a key it found valid without reading it again: a WMS reports several times per order,
 * and each report would otherwise read its key. A key revoked here stops working at once; one revoked by another API
 * process, within this time.
 */
export const VALID_KEY_CACHE_MS = 5_000;

/** How long a process routes with the paused suppliers it last read: a pause or resume elsewhere reaches it within this time. */
export const PAUSED_SUPPLIERS_FRESHNESS_MS = 1_000;

/** Last-used times move at most this often per key: a busy WMS would otherwise turn every read into a write. */
const LAST_USED_RESOLUTION_MS = 60_000;
/** The longest page of an account's audit trail one read returns. */
export const MAX_AUDIT_PAGE = 200;
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

interface PayoutDoc {
  frozen: boolean;
  since?: Date | null;
  by?: string | null;
  reason?: string | null;
}

interface AccountDoc {
  _id: string;
  kind: AccountKind;
  partyId: string;
  name: string;
  createdAt: Date;
  createdBy: string;
  /** Checked against supplierProfileInputSchema when read: the schema stores it as Mixed. */
  supplier?: unknown;
  payout?: PayoutDoc | null;
  dispatchPaused?: boolean | null;
  dispatchPausedBy?: string | null;
}

const NOT_FROZEN: PayoutDoc = { frozen: false };

function payoutOf(doc: PayoutDoc | null | undefined): PayoutState {
  if (!doc?.frozen) return { frozen: false };
  return {
    frozen: true,
    ...(doc.since ? { since: doc.since.toISOString() } : {}),
    ...(doc.by ? { by: doc.by } : {}),
    ...(doc.reason ? { reason: doc.reason } : {}),
  };
}

/** The stored profile, validated on the way out (documents read back are an edge); undefined when none was stored. */
function profileOf(doc: AccountDoc): SupplierProfileInput | undefined {
  return doc.supplier == null ? undefined : supplierProfileInputSchema.parse(doc.supplier);
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

interface AuditDoc {
  accountId: string;
  at: Date;
  actor: string;
  action: string;
  keyId?: string | null;
  before?: unknown;
  after?: unknown;
  detail?: string | null;
}

function auditEntryOf(doc: AuditDoc): AccountAuditEntry {
  return {
    accountId: doc.accountId,
    at: doc.at,
    actor: doc.actor,
    action: doc.action as AccountAuditAction,
    ...(doc.keyId ? { keyId: doc.keyId } : {}),
    ...(doc.before === undefined ? {} : { before: doc.before }),
    ...(doc.after === undefined ? {} : { after: doc.after }),
    ...(doc.detail ? { detail: doc.detail } : {}),
  };
}

function supplierPartOf(doc: AccountDoc): Pick<Account, 'supplier' | 'payout' | 'dispatchPaused'> {
  const supplier = profileOf(doc);
  const paused = doc.dispatchPaused ? { dispatchPaused: { by: doc.dispatchPausedBy ?? 'unknown' } } : {};
  return { ...(supplier ? { supplier } : {}), payout: payoutOf(doc.payout), ...paused };
}

function accountOf(doc: AccountDoc, keys: KeyDoc[]): Account {
  return {
    id: doc._id,
    kind: doc.kind,
    partyId: doc.partyId,
    name: doc.name,
    createdAt: doc.createdAt,
    createdBy: doc.createdBy,
    ...(doc.kind === 'supplier' ? supplierPartOf(doc) : {}),
    ...(doc.kind === 'warehouse' ? { payout: payoutOf(doc.payout) } : {}),
    keys: keys.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a._id.localeCompare(b._id)).map(keyStateOf),
  };
}

/** Creates the owner over a database's models; `now` is the clock of creation, revocation, freezes and audit entries. */
export function createAccounts(models: Models, now: () => Date = () => new Date()) {
  const { Account: Accounts, AccountKey: Keys, AccountAudit: Audit } = models;
  /** When this process last wrote each key's last-used time, so a burst of requests writes it once. */
  const lastWritten = new Map<string, number>();
  /** Keys this process found valid lately, by key id: their digest, what they are, and until when that is trusted. */
  const validKeys = new Map<string, { digest: Buffer; check: Extract<KeyCheck, { status: 'valid' }>; until: number }>();
  /** The paused suppliers as last read, and when; a pause or resume in this process forgets them (the generation moves). */
  let pausedRead: { suppliers: string[]; readAt: number } | undefined;
  let pausedGeneration = 0;
  const forgetPaused = () => {
    pausedRead = undefined;
    pausedGeneration += 1;
  };

  /**
   * Appends to the audit trail, after the change it records: a crash between the two loses the entry, never the
   * change, and the trail never shows a change that did not happen.
   */
  const record = async (entry: Omit<AccountAuditEntry, 'at'>): Promise<void> => {
    await Audit.create({ ...entry, at: now() });
  };

  /** Inserts a new key of an account, audited; the key itself is returned to the caller and kept nowhere. */
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
      if (await insertOnce(Keys, doc)) {
        await record({ accountId: account._id, actor, action: 'KEY_ISSUED', keyId, ...(label ? { after: { label } } : {}) });
        return { doc, apiKey };
      }
      if (attempt === 3) throw new Error('could not draw an unused key id');
    }
  };

  const accountDoc = async (accountId: string): Promise<AccountDoc> => {
    const doc = await Accounts.findById(accountId).lean();
    if (!doc) throw new UnknownAccountError(`no account ${accountId}`);
    return doc;
  };

  /**
   * Applies a supplier-only change in one guarded write and returns the account as it was before; undefined when the
   * guard did not hold (the change was made already). UnknownAccountError, NotASupplierError.
   */
  const changeSupplier = (accountId: string, guard: object, update: object) =>
    changeAccount(accountId, ['supplier'], guard, update, () => new NotASupplierError(`${accountId} is not a supplier's account`));

  /** The same for a payout change, on a supplier's or a warehouse partner's account. NotAPayeeError. */
  const changePayee = (accountId: string, guard: object, update: object) =>
    changeAccount(accountId, PAYEES, guard, update, () => new NotAPayeeError(`the hub pays nothing to ${accountId}`));

  const changeAccount = async (
    accountId: string,
    kinds: readonly AccountKind[],
    guard: object,
    update: object,
    wrongKind: () => Error,
  ): Promise<AccountDoc | undefined> => {
    const before = await Accounts.findOneAndUpdate({ _id: accountId, kind: { $in: kinds }, ...guard }, update, {
      returnDocument: 'before',
    }).lean();
    if (before) return before;
    const doc = await accountDoc(accountId);
    if (!kinds.includes(doc.kind)) throw wrongKind();
    return undefined;
  };

  const find = async (accountId: string): Promise<Account> => {
    const doc = await accountDoc(accountId);
    return accountOf(doc, await Keys.find({ accountId }).lean());
  };

  return {
    /** Creates a party's account with its first key, audited; AccountExistsError when the party has one. */
    async create(input: NewAccount): Promise<{ account: Account; key: IssuedKey }> {
      const supplier = input.kind === 'supplier' ? supplierProfileInputSchema.parse(input.supplier) : undefined;
      const doc: AccountDoc = {
        _id: accountIdOf(input.kind, input.partyId),
        kind: input.kind,
        partyId: input.partyId,
        name: input.name,
        createdAt: now(),
        createdBy: input.actor,
        ...(supplier ? { supplier, payout: NOT_FROZEN } : {}),
      };
      try {
        await Accounts.create(doc);
      } catch (error) {
        if (isDuplicateKey(error)) throw new AccountExistsError(`${doc._id} already has an account`);
        throw error;
      }
      const created = { kind: doc.kind, partyId: doc.partyId, name: doc.name, ...(supplier ? { supplier } : {}) };
      await record({ accountId: doc._id, actor: input.actor, action: 'ACCOUNT_CREATED', after: created });
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
    find,

    /**
     * A supplier's profile and payout state as deliveries to it need them: one primary-key read, validated. Undefined
     * when the supplier has no account, or an account made before profiles existed.
     */
    async supplierProfile(supplierId: string): Promise<SupplierProfile | undefined> {
      const doc = await Accounts.findById(accountIdOf('supplier', supplierId)).lean();
      if (doc?.supplier == null) return undefined;
      return supplierProfileSchema.parse({
        ...(doc.supplier as object),
        supplierId: doc.partyId,
        name: doc.name,
        payout: payoutOf(doc.payout),
      });
    },

    /** Replaces a supplier's profile, audited with before and after when it changed; UnknownAccountError, NotASupplierError. */
    async updateProfile(accountId: string, profile: SupplierProfileInput, actor: string): Promise<Account> {
      const next = supplierProfileInputSchema.parse(profile);
      const before = await changeSupplier(accountId, {}, { $set: { supplier: next } });
      // The stored profile as it was, unvalidated: the trail keeps what was there, even a document this version rejects.
      if (before && JSON.stringify(before.supplier) !== JSON.stringify(next)) {
        await record({
          accountId,
          actor,
          action: 'PROFILE_CHANGED',
          ...(before.supplier == null ? {} : { before: before.supplier }),
          after: next,
        });
      }
      return find(accountId);
    },

    /**
     * Freezes a supplier's or warehouse partner's payouts. Freezing a frozen supplier changes nothing (like a second revocation): the first
     * freeze's time, operator and reason are kept until an unfreeze, so a retried or repeated freeze cannot move them.
     */
    async freezePayouts(accountId: string, change: { reason: string; actor: string }): Promise<Account> {
      const payout: PayoutDoc = { frozen: true, since: now(), by: change.actor, reason: change.reason };
      const before = await changePayee(accountId, { 'payout.frozen': { $ne: true } }, { $set: { payout } });
      if (before) {
        await record({ accountId, actor: change.actor, action: 'PAYOUT_FROZEN', before: payoutOf(before.payout), after: payoutOf(payout) });
      }
      return find(accountId);
    },

    /**
     * Pauses or resumes dispatch to a supplier (ES-3): routing sends it no new order while paused. True when this call
     * changed it, so an escalation resumes only what it paused; audited.
     */
    async setDispatchPaused(supplierId: string, paused: boolean, actor: string): Promise<boolean> {
      const accountId = `supplier:${supplierId}`;
      const guard = paused ? { dispatchPaused: { $ne: true } } : { dispatchPaused: true };
      const update = paused
        ? { $set: { dispatchPaused: true, dispatchPausedBy: actor } }
        : { $unset: { dispatchPaused: 1, dispatchPausedBy: 1 } };
      const before = await Accounts.findOneAndUpdate({ _id: accountId, kind: 'supplier', ...guard }, update, {
        returnDocument: 'before',
      }).lean();
      if (!before) return false;
      forgetPaused();
      await record({ accountId, actor, action: paused ? 'DISPATCH_PAUSED' : 'DISPATCH_RESUMED' });
      return true;
    },

    /**
     * Suppliers routing must not send new orders to (paused by ES-3 or by hand): few, and read by an indexed equality, at
     * most once per PAUSED_SUPPLIERS_FRESHNESS_MS (every order is routed with them).
     */
    async pausedSuppliers(): Promise<string[]> {
      const at = now().getTime();
      if (pausedRead && at - pausedRead.readAt < PAUSED_SUPPLIERS_FRESHNESS_MS) return pausedRead.suppliers;
      const generation = pausedGeneration;
      const docs = await Accounts.find({ dispatchPaused: true }, { partyId: 1 }).lean();
      const suppliers = docs.map((d) => d.partyId);
      // A read that a pause or resume here overtook is answered, not kept.
      if (generation === pausedGeneration) pausedRead = { suppliers, readAt: at };
      return suppliers;
    },

    /** Unfreezes a supplier's or warehouse partner's payouts, the note going to the audit trail; unfreezing one not frozen changes nothing. */
    async unfreezePayouts(accountId: string, change: { note?: string; actor: string }): Promise<Account> {
      const before = await changePayee(accountId, { 'payout.frozen': true }, { $set: { payout: NOT_FROZEN } });
      if (before) {
        await record({
          accountId,
          actor: change.actor,
          action: 'PAYOUT_UNFROZEN',
          before: payoutOf(before.payout),
          after: payoutOf(NOT_FROZEN),
          ...(change.note ? { detail: change.note } : {}),
        });
      }
      return find(accountId);
    },

    /** The newest entries of an account's audit trail, newest first, at most MAX_AUDIT_PAGE; UnknownAccountError. */
    async audit(accountId: string, limit = 50): Promise<AccountAuditEntry[]> {
      const [, docs] = await Promise.all([
        accountDoc(accountId),
        Audit.find({ accountId })
          .sort({ at: -1, _id: -1 })
          .limit(Math.min(Math.max(limit, 1), MAX_AUDIT_PAGE))
          .lean(),
      ]);
      return docs.map(auditEntryOf);
    },

    /** Issues another key for an account (rotation: earlier keys stay valid until revoked), audited; UnknownAccountError. */
    async addKey(accountId: string, label: string | undefined, actor: string): Promise<IssuedKey> {
      const { doc, apiKey } = await issue(await accountDoc(accountId), label, actor);
      return { ...keyStateOf(doc), apiKey };
    },

    /** Revokes a key for good and returns its state; revoking it again changes nothing (nor the trail). UnknownKeyError. */
    async revokeKey(accountId: string, keyId: string, actor: string): Promise<ApiKeyState> {
      validKeys.delete(keyId);
      // Guarded by "not revoked yet", so the first revocation's time and actor are the ones kept.
      const revoked = await Keys.updateOne(
        { _id: keyId, accountId, revokedAt: { $exists: false } },
        { $set: { revokedAt: now(), revokedBy: actor } },
      );
      const doc = await Keys.findOne({ _id: keyId, accountId }).lean();
      if (!doc) throw new UnknownKeyError(`account ${accountId} has no key ${keyId}`);
      if (revoked.matchedCount > 0) await record({ accountId, actor, action: 'KEY_REVOKED', keyId });
      return keyStateOf(doc);
    },

    /**
     * What a presented key is: one primary-key read by its key id, then a constant-time comparison of digests (also
     * made when the id is unknown). A revoked key is told apart only when its secret matches. A key this process
     * found valid less than VALID_KEY_CACHE_MS ago is compared against the digest it kept, without a read.
     */
    async check(presented: string): Promise<KeyCheck> {
      const keyId = KEY_PATTERN.exec(presented)?.[1];
      if (!keyId) return { status: 'unknown' };
      const digest = digestOf(presented);
      const trusted = validKeys.get(keyId);
      if (trusted && trusted.until > now().getTime() && timingSafeEqual(digest, trusted.digest)) return trusted.check;
      const doc = await Keys.findById(keyId).lean();
      const stored = doc ? Buffer.from(doc.hash, 'hex') : NO_HASH;
      const matches = stored.length === NO_HASH.length && timingSafeEqual(digest, stored);
      if (!doc || !matches) return { status: 'unknown' };
      if (doc.revokedAt) {
        validKeys.delete(keyId);
        return { status: 'revoked', keyId };
      }
      const check = {
        status: 'valid' as const,
        keyId,
        kind: doc.kind as AccountKind,
        partyId: doc.partyId,
        ...(doc.lastUsedAt ? { lastUsedAt: doc.lastUsedAt } : {}),
      };
      // Only keys found valid are kept (as many as there are keys), so unknown or forged keys cannot fill the map.
      validKeys.set(keyId, { digest, check, until: now().getTime() + VALID_KEY_CACHE_MS });
      return check;
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
