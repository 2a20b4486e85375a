/**
 * Owner of the returns collection: the mirror of each return's view (its workflow owns the truth), the operations
 * list by status, reason, brand and SKU, and the return-rate report per SKU and reason.
 */
import { returnKeyOf } from '../domain/ids';
import { countsAsReturned, type ReturnReason, type ReturnStatus, type ReturnView } from '../domain/returns';
import { insertOnce } from './connection';
import type { Models } from './models';

/** What the operations list filters by; every field is optional, `after` is the cursor of the previous page. */
export interface ReturnFilter {
  status?: ReturnStatus;
  reason?: ReturnReason;
  brand?: string;
  sku?: string;
  limit: number;
  after?: string;
}

/** One return as the operations list shows it. */
export interface ReturnSummary {
  orderId: string;
  returnId: string;
  rma: string;
  brand: string;
  channel: string;
  status: ReturnStatus;
  reason: ReturnReason;
  skus: string[];
  requestedAt: string;
  updatedAt: string;
}

/** How often a SKU, or a reason, sends shipped units back: returned units over shipped units. */
export interface ReturnRate {
  shippedUnits: number;
  returnedUnits: number;
  /** returnedUnits / shippedUnits, to four decimals; 0 when nothing shipped. */
  rate: number;
}

/** The return rates of the units shipped in [from, to): overall, per SKU (and its reasons) and per reason. */
export interface ReturnRates extends ReturnRate {
  brand?: string;
  from: string;
  to: string;
  bySku: Array<ReturnRate & { sku: string; byReason: Array<ReturnRate & { reason: ReturnReason }> }>;
  byReason: Array<ReturnRate & { reason: ReturnReason }>;
}

/** Units shipped per SKU in a window, for one brand or all; what a return rate is measured against. */
export type ShippedUnits = (query: { brand?: string; from: Date; to: Date }) => Promise<Map<string, number>>;

/** The list columns copied from the view. */
function columnsOf(view: ReturnView) {
  return {
    orderId: view.orderId,
    returnId: view.returnId,
    rma: view.rma,
    brand: view.brand,
    channel: view.channel,
    status: view.status,
    reason: view.reason,
    skus: [...new Set(view.lines.map((line) => line.sku))],
    requestedAt: new Date(view.requestedAt),
    version: view.version,
    view,
  };
}

// A page cursor: the last item's request instant and key, so the next page starts strictly after it.
function cursorOf(requestedAt: Date, key: string): string {
  return Buffer.from(JSON.stringify([requestedAt.getTime(), key])).toString('base64url');
}

function afterCursor(cursor: string): { at: Date; key: string } | undefined {
  try {
    const [at, key] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    return typeof at === 'number' && typeof key === 'string' ? { at: new Date(at), key } : undefined;
  } catch {
    return undefined;
  }
}

/** Raised for a list cursor this store did not hand out. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

const rounded = (returned: number, shipped: number): number => (shipped > 0 ? Math.round((returned / shipped) * 10_000) / 10_000 : 0);
const rateOf = (returnedUnits: number, shippedUnits: number): ReturnRate => ({
  shippedUnits,
  returnedUnits,
  rate: rounded(returnedUnits, shippedUnits),
});

/** Creates the returns store; `shippedUnits` gives the denominators of the return-rate report. */
export function createReturns(models: Models, shippedUnits: ShippedUnits) {
  const { Return } = models;
  return {
    /** Every return's latest mirrored view, streamed in no particular order: the invariant checker reads them all. */
    async *all(): AsyncGenerator<ReturnView> {
      for await (const record of Return.find({}, { view: 1 }).lean().cursor()) yield record.view as ReturnView;
    },

    /** Mirrors a return's view; safe to retry, and an older version never replaces a newer one. True when this version was written. */
    async save(view: ReturnView): Promise<boolean> {
      const _id = returnKeyOf(view.orderId, view.returnId);
      const now = new Date();
      const fields = { ...columnsOf(view), updatedAt: now };
      const newer = { _id, version: { $lt: view.version } };
      if ((await Return.updateOne(newer, { $set: fields })).matchedCount > 0) return true;
      if (await insertOnce(Return, { _id, ...fields, createdAt: now })) return true;
      // Inserted by someone else in between, or a retry: write again under the guard, a no-op when theirs is as new.
      return (await Return.updateOne(newer, { $set: fields })).matchedCount > 0;
    },

    /** A return's latest mirrored view, or undefined when none was written. */
    async get(orderId: string, returnId: string): Promise<ReturnView | undefined> {
      const record = await Return.findById(returnKeyOf(orderId, returnId), { view: 1 }).lean();
      return record?.view as ReturnView | undefined;
    },

    /** Every return of an order, oldest first: what the check of a new request counts against (RF-1). */
    async listForOrder(orderId: string): Promise<ReturnView[]> {
      const records = await Return.find({ orderId }, { view: 1, requestedAt: 1 }).lean();
      records.sort((a, b) => a.requestedAt.getTime() - b.requestedAt.getTime() || a._id.localeCompare(b._id));
      return records.map((record) => record.view as ReturnView);
    },

    /** The returns whose slip carries this RMA number: the warehouse's receipt scan (RF-2). One, but for a hash collision. */
    async findByRma(rma: string): Promise<ReturnView[]> {
      const records = await Return.find({ rma }, { view: 1 }).lean();
      return records.map((record) => record.view as ReturnView);
    },

    /** One page of returns matching the filter, newest first, and the cursor of the next page when there is one. */
    async list(filter: ReturnFilter): Promise<{ items: ReturnSummary[]; next?: string }> {
      const query: Record<string, unknown> = {};
      if (filter.status) query.status = filter.status;
      if (filter.reason) query.reason = filter.reason;
      if (filter.brand) query.brand = filter.brand;
      if (filter.sku) query.skus = filter.sku;
      if (filter.after !== undefined) {
        const after = afterCursor(filter.after);
        if (!after) throw new InvalidCursorError('not a cursor of this list');
        query.$or = [{ requestedAt: { $lt: after.at } }, { requestedAt: after.at, _id: { $gt: after.key } }];
      }
      const records = await Return.find(query, { view: 0 })
        .sort({ requestedAt: -1, _id: 1 })
        .limit(filter.limit + 1)
        .lean();
      const page = records.slice(0, filter.limit);
      const items = page.map((r) => ({
        orderId: r.orderId,
        returnId: r.returnId,
        rma: r.rma,
        brand: r.brand,
        channel: r.channel,
        status: r.status as ReturnStatus,
        reason: r.reason as ReturnReason,
        skus: r.skus,
        requestedAt: r.requestedAt.toISOString(),
        updatedAt: r.updatedAt.toISOString(),
      }));
      const last = page.at(-1);
      return records.length > filter.limit && last ? { items, next: cursorOf(last.requestedAt, last._id) } : { items };
    },

    /**
     * The return rates of the units shipped in [from, to), for one brand or all: of those units, how many came back in
     * returns that count (not rejected or cancelled), per SKU and per reason. A report: it reads every return of the
     * brand and every order that could have shipped in the window, so it stays off the order path.
     */
    async returnRates(query: { brand?: string; from: Date; to: Date }): Promise<ReturnRates> {
      const shipped = await shippedUnits(query);
      const returned = new Map<string, Map<ReturnReason, number>>();
      const inWindow = (instant: string) => Date.parse(instant) >= query.from.getTime() && Date.parse(instant) < query.to.getTime();
      for await (const record of Return.find(query.brand ? { brand: query.brand } : {}, { view: 1 })
        .lean()
        .cursor()) {
        const view = record.view as ReturnView;
        if (!countsAsReturned(view.status)) continue;
        for (const line of view.lines.filter((l) => inWindow(l.shippedAt))) {
          const reasons = returned.get(line.sku) ?? new Map<ReturnReason, number>();
          reasons.set(view.reason, (reasons.get(view.reason) ?? 0) + line.quantity);
          returned.set(line.sku, reasons);
        }
      }
      const skus = [...new Set([...shipped.keys(), ...returned.keys()])].sort();
      const bySku = skus.map((sku) => {
        const units = shipped.get(sku) ?? 0;
        const reasons = [...(returned.get(sku) ?? new Map<ReturnReason, number>())].sort(([a], [b]) => a.localeCompare(b));
        const total = reasons.reduce((sum, [, n]) => sum + n, 0);
        return { sku, ...rateOf(total, units), byReason: reasons.map(([reason, n]) => ({ reason, ...rateOf(n, units) })) };
      });
      const shippedTotal = bySku.reduce((sum, s) => sum + s.shippedUnits, 0);
      const perReason = new Map<ReturnReason, number>();
      for (const s of bySku) for (const r of s.byReason) perReason.set(r.reason, (perReason.get(r.reason) ?? 0) + r.returnedUnits);
      return {
        ...(query.brand ? { brand: query.brand } : {}),
        from: query.from.toISOString(),
        to: query.to.toISOString(),
        ...rateOf(
          bySku.reduce((sum, s) => sum + s.returnedUnits, 0),
          shippedTotal,
        ),
        bySku,
        byReason: [...perReason].sort(([a], [b]) => a.localeCompare(b)).map(([reason, n]) => ({ reason, ...rateOf(n, shippedTotal) })),
      };
    },
  };
}

/** The returns store of one database. */
export type Returns = ReturnType<typeof createReturns>;
