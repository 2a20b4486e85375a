/**
 * The stock ledger (INV-1, INV-3): every change is one appended entry whose per-SKU-per-warehouse `seq`
 * is guarded by a unique index. Correct on MongoDB and on FerretDB (whose conditional updates are not
 * atomic): two writers of the same next entry collide on the index and the loser re-reads and retries.
 */
import { isDuplicateKey } from './connection';
import type { Models } from './models';

/** Balances of one SKU in one warehouse after the latest entry. */
export interface StockBalance {
  sku: string;
  warehouseId: string;
  seq: number;
  onHand: number;
  reserved: number;
  available: number;
}

/** What one ledger operation did. */
export type LedgerOutcome =
  | { status: 'applied' | 'already-applied'; balance: StockBalance }
  | { status: 'refused'; reason: 'INSUFFICIENT_STOCK' | 'NOT_RESERVED' | 'ALREADY_SETTLED' | 'NEGATIVE_STOCK'; balance: StockBalance };

type EntryKind = 'receipt' | 'adjust' | 'reserve' | 'release' | 'commit';
interface Change {
  kind: EntryKind;
  quantity: number;
  onHand: number;
  reserved: number;
}
type Refusal = Extract<LedgerOutcome, { status: 'refused' }>['reason'];

/** Context recorded with an entry. */
export interface EntryContext {
  orderId?: string;
  reservationKey?: string;
  actor?: string;
  note?: string;
}

const MAX_ATTEMPTS = 200;

/** Creates the ledger over a database's models. */
export function createStockLedger(models: Models) {
  // One chain per SKU and warehouse in this process: local writers queue instead of colliding.
  const chains = new Map<string, Promise<unknown>>();
  const serialised = <T>(sku: string, warehouseId: string, step: () => Promise<T>): Promise<T> => {
    const id = `${sku}@${warehouseId}`;
    const result = (chains.get(id) ?? Promise.resolve()).then(step);
    const tail = result.then(() => undefined, () => undefined);
    chains.set(id, tail);
    void tail.then(() => { if (chains.get(id) === tail) chains.delete(id); });
    return result;
  };

  const balance = async (sku: string, warehouseId: string): Promise<StockBalance> => {
    const head = await models.StockEntry.findOne({ sku, warehouseId }).sort({ seq: -1 }).lean();
    const onHand = head?.onHand ?? 0;
    const reserved = head?.reserved ?? 0;
    return { sku, warehouseId, seq: head?.seq ?? 0, onHand, reserved, available: onHand - reserved };
  };

  const append = (sku: string, warehouseId: string, opKey: string, context: EntryContext, decide: (head: StockBalance) => Promise<Change | Refusal>) =>
    serialised(sku, warehouseId, async (): Promise<LedgerOutcome> => {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        if (await models.StockEntry.exists({ _id: opKey })) return { status: 'already-applied', balance: await balance(sku, warehouseId) };
        const head = await balance(sku, warehouseId);
        const change = await decide(head);
        if (typeof change === 'string') return { status: 'refused', reason: change, balance: head };
        try {
          await models.StockEntry.create({ _id: opKey, sku, warehouseId, seq: head.seq + 1, ...change, ...context, at: new Date() });
          return { status: 'applied', balance: { ...head, seq: head.seq + 1, onHand: change.onHand, reserved: change.reserved, available: change.onHand - change.reserved } };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          // Another process appended first (or applied this very operation): re-read and decide again.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, attempt * 5)));
        }
      }
      throw new Error(`stock ledger ${sku}@${warehouseId}: gave up after ${MAX_ATTEMPTS} contended attempts`);
    });

  /** What happened to a reservation key so far: its reserved quantity, and whether it was released or committed. */
  const keyState = async (reservationKey: string) => {
    const [reserve, release, commit] = await Promise.all(['reserve', 'release', 'commit'].map((kind) => models.StockEntry.findById(`${kind}:${reservationKey}`, { quantity: 1 }).lean()));
    return { reservedQuantity: reserve?.quantity, settled: Boolean(release || commit) };
  };

  return {
    balance,
    /** Reserves `quantity` under a reservation key, if that much is available; idempotent per key. */
    async reserve(sku: string, warehouseId: string, reservationKey: string, quantity: number, context: EntryContext): Promise<LedgerOutcome> {
      const outcome = await append(sku, warehouseId, `reserve:${reservationKey}`, { ...context, reservationKey }, async (head) => {
        // A key released earlier (even one never reserved: a tombstone) can never be taken again.
        if ((await keyState(reservationKey)).settled) return 'ALREADY_SETTLED';
        return head.available < quantity ? 'INSUFFICIENT_STOCK' : { kind: 'reserve', quantity, onHand: head.onHand, reserved: head.reserved + quantity };
      });
      // A key released or committed earlier is settled: repeating its reservation must not count as holding stock.
      if (outcome.status === 'already-applied' && (await keyState(reservationKey)).settled) {
        return { status: 'refused', reason: 'ALREADY_SETTLED', balance: outcome.balance };
      }
      return outcome;
    },
    /**
     * Releases a reservation (cancel, timeout, merge, move); idempotent. Releasing a key that holds nothing
     * writes a zero tombstone, so a late duplicate reservation under that key is refused.
     */
    release(sku: string, warehouseId: string, reservationKey: string, context: EntryContext): Promise<LedgerOutcome> {
      return append(sku, warehouseId, `release:${reservationKey}`, { ...context, reservationKey }, async (head) => {
        const state = await keyState(reservationKey);
        if (state.settled) return 'ALREADY_SETTLED';
        const quantity = state.reservedQuantity ?? 0;
        return { kind: 'release', quantity, onHand: head.onHand, reserved: head.reserved - quantity };
      });
    },
    /** Commits a reservation on shipment: the units leave on-hand stock; idempotent. */
    commit(sku: string, warehouseId: string, reservationKey: string, context: EntryContext): Promise<LedgerOutcome> {
      return append(sku, warehouseId, `commit:${reservationKey}`, { ...context, reservationKey }, async (head) => {
        const state = await keyState(reservationKey);
        if (state.reservedQuantity === undefined) return 'NOT_RESERVED';
        if (state.settled) return 'ALREADY_SETTLED';
        return { kind: 'commit', quantity: state.reservedQuantity, onHand: head.onHand - state.reservedQuantity, reserved: head.reserved - state.reservedQuantity };
      });
    },
    /** Adds received units or corrects a count (negative delta); `opKey` makes a repeated request harmless. */
    adjust(sku: string, warehouseId: string, opKey: string, kind: 'receipt' | 'adjust', delta: number, context: EntryContext): Promise<LedgerOutcome> {
      return append(sku, warehouseId, `${kind}:${opKey}`, context, async (head) =>
        head.onHand + delta < 0 ? 'NEGATIVE_STOCK' : { kind, quantity: delta, onHand: head.onHand + delta, reserved: head.reserved });
    },
  };
}

/** The stock ledger of one database. */
export type StockLedger = ReturnType<typeof createStockLedger>;
