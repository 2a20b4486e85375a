/**
 * Owner of stock (stock_ledger, stock_items): the ledger (INV-1, INV-3), safety thresholds (INV-4) and availability.
 * Every change is one appended entry whose per-SKU-per-warehouse `seq` is guarded by a unique index. Correct on
 * MongoDB and on FerretDB (whose conditional updates are not atomic): two writers of the same next entry collide
 * on the index and the loser re-reads and retries. Entry and item keys are built here and nowhere else.
 */
import type { LedgerChainEntry, StockHead } from '../domain/invariants';
import { countLedgerConflict, countReservation } from '../metrics/hub';
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

/** What one ledger operation did; the balance carries the item's safety threshold, read with the head. */
export type LedgerOutcome =
  | { status: 'applied' | 'already-applied'; balance: StockAvailability }
  | { status: 'refused'; reason: 'INSUFFICIENT_STOCK' | 'NOT_RESERVED' | 'ALREADY_SETTLED' | 'NEGATIVE_STOCK'; balance: StockAvailability };

/** The kinds of ledger entry. */
export type EntryKind = 'receipt' | 'adjust' | 'reserve' | 'release' | 'commit';
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
  actor?: string;
  note?: string;
}

/** A SKU's balances in a warehouse with its safety threshold (INV-4; 0 when none is set). */
export interface StockAvailability extends StockBalance {
  safetyThreshold: number;
}

/** One ledger entry as the audit endpoint shows it; `opKey` is the operation it records. */
export interface LedgerEntry {
  warehouseId: string;
  seq: number;
  kind: EntryKind;
  quantity: number;
  onHand: number;
  reserved: number;
  available: number;
  opKey: string;
  orderId?: string;
  actor?: string;
  note?: string;
  at: string;
}

const MAX_ATTEMPTS = 200;
/**
 * How long what this process has just read stands in for the reads of an operation's first attempt: a stock item's head
 * (routing reads every item of the order's SKUs, milliseconds before the reservation) or one it wrote itself, and a
 * reservation key's entries (read with the order's keys just before their release or commit).
 */
export const RECENT_READ_MS = 200;

/** What a reservation key went through: the quantity it reserved, and whether it was released or committed since. */
interface KeyState {
  reservedQuantity?: number;
  settled: boolean;
}
/** A key's state as read at `readAt` (this process's clock), with the ids of its entries. */
export interface ReadKeyState extends KeyState {
  opKeys: string[];
  readAt: number;
}
/** The state of an operation without a reservation key (receipts, adjustments). */
const noKey: KeyState = { settled: false };

/** The entry id of one operation: a retried operation finds its entry by primary key (FerretDB only pushes `_id` lookups down). */
const opKeyOf = (kind: EntryKind, key: string) => `${kind}:${key}`;
/** The id of a SKU in a warehouse: the stock item's `_id`, and the key of this process's write chain. */
const stockItemId = (sku: string, warehouseId: string) => `${sku}@${warehouseId}`;
/** The position of an entry in its SKU-and-warehouse ledger, unique. */
const positionOf = (sku: string, warehouseId: string, seq: number) => `${stockItemId(sku, warehouseId)}#${seq}`;

/** Creates the ledger over a database's models; `now` is the clock of what it read a moment ago (tests move it). */
export function createStockLedger(models: Models, now: () => number = Date.now) {
  const { StockEntry, StockItem } = models;
  let collisions = 0;
  // Heads never lead the ledger (an item's head moves only after its entry exists), so one that trails by now only
  // collides on the entry's position, and the next attempt reads the true head. Bounded by the catalog.
  const recentHeads = new Map<string, { head: StockHead; safetyThreshold: number; at: number }>();
  const remember = (sku: string, warehouseId: string, head: StockHead, safetyThreshold: number) =>
    recentHeads.set(stockItemId(sku, warehouseId), { head, safetyThreshold, at: now() });
  // One chain per SKU and warehouse in this process: local writers queue instead of colliding.
  const chains = new Map<string, Promise<unknown>>();
  const serialised = <T>(sku: string, warehouseId: string, step: () => Promise<T>): Promise<T> => {
    const id = stockItemId(sku, warehouseId);
    const result = (chains.get(id) ?? Promise.resolve()).then(step);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    chains.set(id, tail);
    void tail.then(() => {
      if (chains.get(id) === tail) chains.delete(id);
    });
    return result;
  };

  /** The stock item's head as written: the ledger's head unless a writer has appended and not yet moved it. */
  const itemHead = async (sku: string, warehouseId: string) => {
    const item = await StockItem.findById(stockItemId(sku, warehouseId), { safetyThreshold: 1, seq: 1, onHand: 1, reserved: 1 }).lean();
    return {
      head: { seq: item?.seq ?? 0, onHand: item?.onHand ?? 0, reserved: item?.reserved ?? 0 },
      safetyThreshold: item?.safetyThreshold ?? 0,
    };
  };
  /** The item's head as this process read or wrote it within RECENT_READ_MS, else as written now. */
  const recentOrItemHead = async (sku: string, warehouseId: string) => {
    const recent = recentHeads.get(stockItemId(sku, warehouseId));
    return recent && now() - recent.at < RECENT_READ_MS ? recent : itemHead(sku, warehouseId);
  };
  const availabilityOf = (sku: string, warehouseId: string, head: StockHead, safetyThreshold: number): StockAvailability => ({
    sku,
    warehouseId,
    ...head,
    available: head.onHand - head.reserved,
    safetyThreshold,
  });

  /**
   * The stock item with the ledger's head: two primary-key or `pos` lookups however long the ledger is. The item's
   * head is a starting point; the entries after it, if a writer has not yet moved it, are stepped over by position.
   */
  const headOf = async (sku: string, warehouseId: string): Promise<StockAvailability> => {
    const written = await itemHead(sku, warehouseId);
    let head = written.head;
    for (;;) {
      const next = await StockEntry.findOne({ pos: positionOf(sku, warehouseId, head.seq + 1) }, { seq: 1, onHand: 1, reserved: 1 }).lean();
      if (!next) break;
      head = { seq: next.seq, onHand: next.onHand, reserved: next.reserved };
    }
    remember(sku, warehouseId, head, written.safetyThreshold);
    return availabilityOf(sku, warehouseId, head, written.safetyThreshold);
  };

  const balance = async (sku: string, warehouseId: string): Promise<StockBalance> => {
    const { seq, onHand, reserved, available } = await headOf(sku, warehouseId);
    return { sku, warehouseId, seq, onHand, reserved, available };
  };

  /** What happened to a reservation key so far: its reserved quantity, and whether it was released or committed (one indexed read). */
  const keyState = async (reservationKey: string): Promise<ReadKeyState> => keyStateOf(await keyEntries(reservationKey));
  const keyEntries = (reservationKey: string) =>
    StockEntry.find({ reservationKey }, { kind: 1, quantity: 1, sku: 1, warehouseId: 1, orderId: 1 }).lean();
  const keyStateOf = (entries: Array<{ _id: string; kind: string; quantity: number }>): ReadKeyState => {
    const reserve = entries.find((e) => e.kind === 'reserve');
    return {
      reservedQuantity: reserve?.quantity,
      settled: entries.some((e) => e.kind === 'release' || e.kind === 'commit'),
      opKeys: entries.map((e) => e._id),
      readAt: now(),
    };
  };
  /**
   * Whether the operation was applied, and its key's history. An operation under a reservation key is one of that
   * key's entries, so one read answers both; receipts and adjustments look their entry up by primary key.
   */
  const operationState = async (
    opKey: string,
    reservationKey?: string,
    known?: ReadKeyState,
  ): Promise<{ applied: boolean; key: KeyState }> => {
    if (!reservationKey) return { applied: (await StockEntry.exists({ _id: opKey })) !== null, key: noKey };
    const key = known && now() - known.readAt < RECENT_READ_MS ? known : await keyState(reservationKey);
    return { applied: key.opKeys.includes(opKey), key };
  };
  const append = (
    sku: string,
    warehouseId: string,
    opKey: string,
    context: EntryContext & { reservationKey?: string },
    decide: (head: StockAvailability, key: KeyState) => Change | Refusal,
    known?: ReadKeyState,
  ) =>
    serialised(sku, warehouseId, async (): Promise<LedgerOutcome> => {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        // Everything the decision needs, read side by side (the first attempt takes what this process read a moment
        // ago, when it did). The first attempt trusts the item's head: if it trails, the entry's position is taken, the
        // insert collides, and the next attempt steps over to the true head.
        const [{ applied, key }, written] = await Promise.all([
          operationState(opKey, context.reservationKey, attempt === 1 ? known : undefined),
          attempt === 1 ? recentOrItemHead(sku, warehouseId) : undefined,
        ]);
        let head =
          written && !applied ? availabilityOf(sku, warehouseId, written.head, written.safetyThreshold) : await headOf(sku, warehouseId);
        if (applied) return { status: 'already-applied', balance: head };
        let change = decide(head, key);
        // A refusal stands only on the true head: a trailing one may not show a release that freed the units.
        if (typeof change === 'string' && written) change = decide((head = await headOf(sku, warehouseId)), key);
        if (typeof change === 'string') return { status: 'refused', reason: change, balance: head };
        try {
          const seq = head.seq + 1;
          await StockEntry.create({
            _id: opKey,
            sku,
            warehouseId,
            seq,
            pos: positionOf(sku, warehouseId, seq),
            ...change,
            ...context,
            at: new Date(),
          });
          // Moving the head after the entry exists: a head that trails is stepped over, one that leads is never written.
          await StockItem.updateOne(
            { _id: stockItemId(sku, warehouseId) },
            { $set: { sku, warehouseId, seq, onHand: change.onHand, reserved: change.reserved } },
            { upsert: true },
          );
          remember(sku, warehouseId, { seq, onHand: change.onHand, reserved: change.reserved }, head.safetyThreshold);
          return {
            status: 'applied',
            balance: {
              ...head,
              seq: head.seq + 1,
              onHand: change.onHand,
              reserved: change.reserved,
              available: change.onHand - change.reserved,
            },
          };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          collisions += 1;
          countLedgerConflict();
          // Another process appended first (or applied this very operation): re-read and decide again.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, attempt * 5)));
        }
      }
      throw new Error(`stock ledger ${stockItemId(sku, warehouseId)}: gave up after ${MAX_ATTEMPTS} contended attempts`);
    });

  return {
    /** Balances of a SKU in a warehouse after its latest entry. */
    balance,
    /** Reserves `quantity` under a reservation key, if that much is available; idempotent per key. */
    async reserve(
      sku: string,
      warehouseId: string,
      reservationKey: string,
      quantity: number,
      context: EntryContext,
    ): Promise<LedgerOutcome> {
      const outcome = await append(sku, warehouseId, opKeyOf('reserve', reservationKey), { ...context, reservationKey }, (head, key) => {
        // A key released earlier (even one never reserved: a tombstone) can never be taken again.
        if (key.settled) return 'ALREADY_SETTLED';
        return head.available < quantity
          ? 'INSUFFICIENT_STOCK'
          : { kind: 'reserve', quantity, onHand: head.onHand, reserved: head.reserved + quantity };
      });
      // A key released or committed earlier is settled: repeating its reservation must not count as holding stock.
      if (outcome.status === 'already-applied' && (await keyState(reservationKey)).settled) {
        countReservation('refused');
        return { status: 'refused', reason: 'ALREADY_SETTLED', balance: outcome.balance };
      }
      countReservation(outcome.status === 'already-applied' ? 'already' : outcome.status);
      return outcome;
    },
    /**
     * Releases a reservation (cancel, timeout, merge, move); idempotent. Releasing a key that holds nothing
     * writes a zero tombstone, so a late duplicate reservation under that key is refused.
     */
    release(sku: string, warehouseId: string, reservationKey: string, context: EntryContext, known?: ReadKeyState): Promise<LedgerOutcome> {
      return append(
        sku,
        warehouseId,
        opKeyOf('release', reservationKey),
        { ...context, reservationKey },
        (head, state) => {
          if (state.settled) return 'ALREADY_SETTLED';
          const quantity = state.reservedQuantity ?? 0;
          return { kind: 'release', quantity, onHand: head.onHand, reserved: head.reserved - quantity };
        },
        known,
      );
    },
    /** Commits a reservation on shipment: the units leave on-hand stock; idempotent. */
    commit(sku: string, warehouseId: string, reservationKey: string, context: EntryContext, known?: ReadKeyState): Promise<LedgerOutcome> {
      return append(
        sku,
        warehouseId,
        opKeyOf('commit', reservationKey),
        { ...context, reservationKey },
        (head, state) => {
          if (state.reservedQuantity === undefined) return 'NOT_RESERVED';
          if (state.settled) return 'ALREADY_SETTLED';
          return {
            kind: 'commit',
            quantity: state.reservedQuantity,
            onHand: head.onHand - state.reservedQuantity,
            reserved: head.reserved - state.reservedQuantity,
          };
        },
        known,
      );
    },
    /** Adds received units or corrects a count (negative delta); the id makes a repeated request harmless. */
    adjust(
      sku: string,
      warehouseId: string,
      id: string,
      kind: 'receipt' | 'adjust',
      delta: number,
      context: EntryContext,
    ): Promise<LedgerOutcome> {
      return append(sku, warehouseId, opKeyOf(kind, id), context, (head) =>
        head.onHand + delta < 0 ? 'NEGATIVE_STOCK' : { kind, quantity: delta, onHand: head.onHand + delta, reserved: head.reserved },
      );
    },
    /** What a receipt or adjustment id was applied as, so a reused id for a different change can be told from a repeat. */
    async appliedAdjustment(
      kind: 'receipt' | 'adjust',
      id: string,
    ): Promise<{ sku: string; warehouseId: string; quantity: number } | undefined> {
      const entry = await StockEntry.findById(opKeyOf(kind, id), { sku: 1, warehouseId: 1, quantity: 1 }).lean();
      return entry ? { sku: entry.sku, warehouseId: entry.warehouseId, quantity: entry.quantity } : undefined;
    },
    /**
     * Where the order's reservation keys were reserved, and what each went through so far (for the release or commit
     * that follows at once: `known`); keys unknown or reserved for another order are left out.
     */
    async reservationsOf(
      orderId: string,
      keys: string[],
    ): Promise<Array<{ key: string; sku: string; warehouseId: string; known: ReadKeyState }>> {
      const entries = await Promise.all(keys.map(keyEntries));
      return keys.flatMap((key, i) => {
        const reserve = entries[i]!.find((e) => e.kind === 'reserve');
        return reserve && reserve.orderId === orderId
          ? [{ key, sku: reserve.sku, warehouseId: reserve.warehouseId, known: keyStateOf(entries[i]!) }]
          : [];
      });
    },
    /** Sets the safety threshold of a SKU in a warehouse, in units. */
    async setSafetyThreshold(sku: string, warehouseId: string, units: number): Promise<void> {
      await StockItem.updateOne(
        { _id: stockItemId(sku, warehouseId) },
        { $set: { sku, warehouseId, safetyThreshold: units } },
        { upsert: true },
      );
      recentHeads.delete(stockItemId(sku, warehouseId));
    },
    /**
     * Stock of the SKUs wherever the catalog holds them, as routing reads it: one indexed read per SKU, taking each
     * item's head as written. A head can trail by a reservation in flight; the reservation that follows starts from it
     * (RECENT_READ_MS) and steps over to the true head when its entry's position is taken.
     */
    async stockForRouting(skus: string[]): Promise<StockAvailability[]> {
      const items = (await Promise.all(skus.map((sku) => StockItem.find({ sku }).lean()))).flat();
      return items.map((item) => {
        const head = { seq: item.seq ?? 0, onHand: item.onHand ?? 0, reserved: item.reserved ?? 0 };
        remember(item.sku, item.warehouseId, head, item.safetyThreshold ?? 0);
        return availabilityOf(item.sku, item.warehouseId, head, item.safetyThreshold ?? 0);
      });
    },
    /** Balances and thresholds of every SKU in every warehouse listed, read fresh from the ledger (INV-5). */
    async availability(skus: string[], warehouseIds: string[]): Promise<StockAvailability[]> {
      return Promise.all(skus.flatMap((sku) => warehouseIds.map((warehouseId) => headOf(sku, warehouseId))));
    },
    /**
     * Entries of a SKU, newest first unless `oldestFirst`. Within one warehouse `seq` is the true order; across
     * warehouses the entry time is, with the operation key breaking ties so pages are stable.
     */
    async entries(sku: string, options: { warehouseId?: string; limit?: number; oldestFirst?: boolean } = {}): Promise<LedgerEntry[]> {
      const direction = options.oldestFirst ? 1 : -1;
      const query = StockEntry.find({ sku, ...(options.warehouseId ? { warehouseId: options.warehouseId } : {}) }).sort(
        options.warehouseId ? { seq: direction } : { at: direction, _id: direction },
      );
      const entries = await (options.limit ? query.limit(options.limit) : query).lean();
      return entries.map((e) => ({
        warehouseId: e.warehouseId,
        seq: e.seq,
        kind: e.kind as EntryKind,
        quantity: e.quantity,
        onHand: e.onHand,
        reserved: e.reserved,
        available: e.onHand - e.reserved,
        opKey: e._id,
        ...(e.orderId ? { orderId: e.orderId } : {}),
        ...(e.actor ? { actor: e.actor } : {}),
        ...(e.note ? { note: e.note } : {}),
        at: e.at.toISOString(),
      }));
    },
    /**
     * Every SKU-and-warehouse pair with a stock item or ledger entries, with the item's head when it has one, streamed
     * (the invariant checker; off the order path). Entries are scanned too: a first entry whose writer stopped before
     * its stock item has a ledger and no head.
     */
    async *pairs(): AsyncGenerator<{ sku: string; warehouseId: string; head?: StockHead }> {
      const seen = new Set<string>();
      for await (const item of StockItem.find({}, { sku: 1, warehouseId: 1, seq: 1, onHand: 1, reserved: 1 }).lean().cursor()) {
        seen.add(stockItemId(item.sku, item.warehouseId));
        const head = item.seq ? { seq: item.seq, onHand: item.onHand ?? 0, reserved: item.reserved ?? 0 } : undefined;
        yield { sku: item.sku, warehouseId: item.warehouseId, ...(head ? { head } : {}) };
      }
      for await (const entry of StockEntry.find({}, { sku: 1, warehouseId: 1 }).lean().cursor()) {
        const id = stockItemId(entry.sku, entry.warehouseId);
        if (seen.has(id)) continue;
        seen.add(id);
        yield { sku: entry.sku, warehouseId: entry.warehouseId };
      }
    },
    /** The whole ledger of a SKU in a warehouse, oldest first, with reservation keys: what the invariant checker chains. */
    async *ledgerOf(sku: string, warehouseId: string): AsyncGenerator<LedgerChainEntry> {
      const fields = { seq: 1, kind: 1, quantity: 1, onHand: 1, reserved: 1, reservationKey: 1, orderId: 1 };
      for await (const e of StockEntry.find({ sku, warehouseId }, fields).sort({ seq: 1 }).lean().cursor()) {
        yield {
          seq: e.seq,
          kind: e.kind as EntryKind,
          quantity: e.quantity,
          onHand: e.onHand,
          reserved: e.reserved,
          ...(e.reservationKey ? { reservationKey: e.reservationKey } : {}),
          ...(e.orderId ? { orderId: e.orderId } : {}),
        };
      }
    },
    /** Inserts that lost a race on a unique index and were retried, since this ledger was created (the bench reports it). */
    collisions: () => collisions,
  };
}

/** The stock ledger of one database. */
export type StockLedger = ReturnType<typeof createStockLedger>;
