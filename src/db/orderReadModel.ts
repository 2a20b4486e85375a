/**
 * Owner of the order read model (orders, audit_events, buyer_orders): the mirror of each order's view for lists
 * and closed orders, its audit trail (OP-2) and one small row per order for buyer-history risk rules (MR-3).
 * The order workflow owns the truth; only its activities write here.
 */
import type { Channel } from '../domain/order';
import type { AuditEntry, OrderView, ShipmentState } from '../domain/orderView';
import type { BuyerHistory } from '../domain/risk';
import type { OrderStatus } from '../domain/status';
import { insertAllOnce, insertOnce } from './connection';
import type { Models } from './models';

/** What the operations list filters by; every field is optional. */
export interface OrderFilter {
  status?: OrderStatus;
  channel?: Channel;
  brand?: string;
  warehouseId?: string;
  /** Ordered at or after this instant. */
  from?: Date;
  /** Ordered before this instant. */
  to?: Date;
}

/** One of a supplier's open orders as its list shows it. */
export interface SupplierOrderSummary {
  orderId: string;
  status: string;
  orderedAt: string;
  updatedAt: string;
}

/** One page of a list, counted from 1. */
export interface PageRequest {
  page: number;
  pageSize: number;
}

/** One order as the operations list shows it. */
export interface OrderSummary {
  orderId: string;
  channel: string;
  brand: string;
  status: string;
  holdReasons: string[];
  warehouseIds: string[];
  orderedAt: string;
  updatedAt: string;
}

/** The orders in one status: how many, when the latest of them changed, and how many carry each hold reason. */
export interface StatusTally {
  orders: number;
  lastUpdatedAt: string;
  byHoldReason: Record<string, number>;
}

// A supplier shipment in one of these steps asks nothing more of its supplier; 'planned' was never pushed, or was recalled.
const SUPPLIER_DONE_STEPS = new Set<string>(['planned', 'shipped', 'delivered', 'rejected']);

/** The suppliers that still have work in the order: a pushed shipment of theirs that is neither shipped nor rejected. */
function openSupplierIdsOf(shipments: ShipmentState[]): string[] {
  const open = shipments.filter((s) => s.kind === 'supplier' && !SUPPLIER_DONE_STEPS.has(s.step) && !s.shippedAt);
  return [...new Set(open.map((s) => s.locationId))];
}

// Orders that hold stock at a warehouse it has not shipped yet: what an outage there must move (RT-4).
const NOT_YET_SHIPPED: OrderStatus[] = ['RESERVED', 'FULFILLING'];

/** The columns the list endpoints filter and sort on, copied from the view. */
function columnsOf(view: OrderView) {
  return {
    workflowId: view.workflowId,
    channel: view.order.channel,
    channelOrderId: view.order.channelOrderId,
    brand: view.order.brand,
    buyerId: view.order.buyer.id,
    status: view.status,
    holdReasons: view.holds.map((h) => h.reason),
    warehouseIds: [...new Set(view.shipments.filter((s) => s.kind === 'warehouse').map((s) => s.locationId))],
    supplierIds: [...new Set(view.shipments.filter((s) => s.kind === 'supplier').map((s) => s.locationId))],
    openSupplierIds: openSupplierIdsOf(view.shipments),
    orderedAt: new Date(view.order.createdAt),
    paidAt: view.order.paidAt ? new Date(view.order.paidAt) : undefined,
    version: view.version,
    view,
  };
}

/** A batch of one order's changes, written at a milestone of the lean design. */
export interface OrderChanges {
  orderId: string;
  /** The view's version after these changes. */
  version: number;
  entries: AuditEntry[];
  /** The top-level view fields that changed since the previous batch. */
  changes: Partial<OrderView>;
  /** When the order was paid, for the payment → reserved measure (INV-1). */
  paidAt?: string;
}

/** The list columns that follow from the view fields in a batch of changes. */
function columnsOfChanges(changes: Partial<OrderView>): Record<string, unknown> {
  const { order, status, holds, shipments, workflowId } = changes;
  return {
    ...(workflowId ? { workflowId } : {}),
    ...(status ? { status } : {}),
    ...(holds ? { holdReasons: holds.map((h) => h.reason) } : {}),
    ...(shipments
      ? {
          warehouseIds: [...new Set(shipments.filter((s) => s.kind === 'warehouse').map((s) => s.locationId))],
          supplierIds: [...new Set(shipments.filter((s) => s.kind === 'supplier').map((s) => s.locationId))],
          openSupplierIds: openSupplierIdsOf(shipments),
        }
      : {}),
    ...(order
      ? {
          channel: order.channel,
          channelOrderId: order.channelOrderId,
          brand: order.brand,
          buyerId: order.buyer.id,
          orderedAt: new Date(order.createdAt),
          ...(order.paidAt ? { paidAt: new Date(order.paidAt) } : {}),
        }
      : {}),
  };
}

/** A supplier's shipped parcel as finance pays it. */
export interface PayableParcel {
  /** Who is paid for it: the drop-ship supplier that sent it, or the warehouse partner that fulfilled it. */
  payee: { kind: 'supplier' | 'warehouse'; id: string };
  orderId: string;
  shipmentId: string;
  shippedAt: string;
  trackingNumber?: string;
  lines: Array<{ lineId: string; sku: string; quantity: number; amountMinor: number }>;
  amountMinor: number;
}

/**
 * The most of a buyer's other orders read for the risk rules: they ask whether there is any, and count those of a burst
 * window (minutes), so a buyer with more counts as this many.
 */
export const BUYER_HISTORY_READ = 1000;

/** Creates the read model over a database's models. */
export function createOrderReadModel(models: Models) {
  const { Order, AuditEvent, BuyerOrder } = models;
  return {
    /** Appends the audit entry once, then mirrors the view; safe to retry, and an older version never replaces a newer one. */
    async mirror(view: OrderView, entry: AuditEntry): Promise<void> {
      await insertOnce(AuditEvent, { _id: `${view.orderId}:${entry.seq}`, orderId: view.orderId, ...entry, at: new Date(entry.at) });
      const now = new Date();
      const fields = { ...columnsOf(view), updatedAt: now };
      // The version is read by _id first rather than put in the update filter: FerretDB scans for anything but a bare _id.
      const existing = await Order.findById(view.orderId, { version: 1 }).lean();
      if (existing) {
        if (existing.version < view.version) await Order.updateOne({ _id: view.orderId }, { $set: fields });
        return;
      }
      await insertOnce(Order, { _id: view.orderId, ...fields, createdAt: now });
    },

    /**
     * Writes a batch of the order's changes (lean design): its audit entries, once each, and the view fields that
     * changed with the list columns derived from them. Safe to retry; an older batch never overwrites a newer one.
     * The first batch of an order carries every field of its view.
     */
    async applyChanges(batch: OrderChanges): Promise<void> {
      const { orderId, version, entries, changes } = batch;
      await insertAllOnce(
        AuditEvent,
        entries.map((entry) => ({ _id: `${orderId}:${entry.seq}`, orderId, ...entry, at: new Date(entry.at) })),
      );
      const now = new Date();
      const columns = columnsOfChanges(changes);
      // Only a first batch carries every field, the order id too: it is inserted, one round trip for most orders. It
      // meets a mirror already there when it is retried, or when a continued run writes its first batch.
      if (
        changes.orderId !== undefined &&
        (await insertOnce(Order, { _id: orderId, ...columns, view: changes, version, createdAt: now, updatedAt: now }))
      )
        return;
      // A later batch updates an older mirror. None matches when a newer batch overtook it: its workflow task was redone
      // (say a message arrived as the order completed) and ran its local activities again. Its audit entries are in;
      // the newer mirror stays.
      const viewFields = Object.fromEntries(Object.entries(changes).map(([field, value]) => [`view.${field}`, value]));
      await Order.updateOne({ _id: orderId, version: { $lt: version } }, { $set: { ...columns, ...viewFields, version, updatedAt: now } });
    },

    /** The order's latest mirrored view, or undefined when none was written. */
    async find(orderId: string): Promise<OrderView | undefined> {
      const record = await Order.findById(orderId, { view: 1 }).lean();
      return record?.view as OrderView | undefined;
    },

    /** One page of orders matching the filter, newest first, with the total that match. */
    async list(filter: OrderFilter, { page, pageSize }: PageRequest): Promise<{ items: OrderSummary[]; total: number }> {
      const query: Record<string, unknown> = {};
      if (filter.status) query.status = filter.status;
      if (filter.channel) query.channel = filter.channel;
      if (filter.brand) query.brand = filter.brand;
      if (filter.warehouseId) query.warehouseIds = filter.warehouseId;
      if (filter.from || filter.to)
        query.orderedAt = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
      const [records, total] = await Promise.all([
        Order.find(query, { view: 0 })
          .sort({ orderedAt: -1, _id: 1 })
          .skip((page - 1) * pageSize)
          .limit(pageSize)
          .lean(),
        Order.countDocuments(query),
      ]);
      const items = records.map((r) => ({
        orderId: r._id,
        channel: r.channel,
        brand: r.brand,
        status: r.status,
        holdReasons: r.holdReasons,
        warehouseIds: r.warehouseIds,
        orderedAt: r.orderedAt.toISOString(),
        updatedAt: r.updatedAt.toISOString(),
      }));
      return { items, total };
    },

    /**
     * One page of the supplier's open orders, oldest first (the longest waiting on top), with how many there are. Read
     * by equality on the indexed openSupplierIds; FerretDB does not push sorts down, so they are sorted here, which is
     * bounded by that supplier's open orders (an order leaves the list once the supplier shipped or rejected its part).
     */
    async openOrdersOfSupplier(
      supplierId: string,
      { page, pageSize }: PageRequest,
    ): Promise<{ items: SupplierOrderSummary[]; total: number }> {
      const records = await Order.find({ openSupplierIds: supplierId }, { status: 1, orderedAt: 1, updatedAt: 1 }).lean();
      records.sort((a, b) => a.orderedAt.getTime() - b.orderedAt.getTime() || a._id.localeCompare(b._id));
      const items = records.slice((page - 1) * pageSize, page * pageSize).map((r) => ({
        orderId: r._id,
        status: r.status,
        orderedAt: r.orderedAt.toISOString(),
        updatedAt: r.updatedAt.toISOString(),
      }));
      return { items, total: records.length };
    },

    /**
     * A supplier's or warehouse partner's parcels that shipped in [from, to), with what they are worth at the order's
     * prices (minor units), for the payable export. Read by equality on the indexed supplierIds or warehouseIds; the
     * window is applied here (FerretDB pushes no ranges down), bounded by that party's orders.
     */
    async shippedParcels(payee: PayableParcel['payee'], window: { from: Date; to: Date }): Promise<PayableParcel[]> {
      const filter = payee.kind === 'supplier' ? { supplierIds: payee.id } : { warehouseIds: payee.id };
      const records = await Order.find(filter, { view: 1 }).lean();
      return records.flatMap((record) => {
        const view = record.view as OrderView;
        return view.shipments
          .filter((s) => s.kind === payee.kind && s.locationId === payee.id && s.shippedAt && s.step !== 'rejected')
          .filter((s) => Date.parse(s.shippedAt!) >= window.from.getTime() && Date.parse(s.shippedAt!) < window.to.getTime())
          .map((s) => {
            const lines = view.order.lines
              .filter((l) => s.lineIds.includes(l.lineId))
              .map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity, amountMinor: l.unitPrice * l.quantity }));
            return {
              payee,
              orderId: view.orderId,
              shipmentId: s.shipmentId,
              shippedAt: s.shippedAt!,
              trackingNumber: s.trackingNumber,
              lines,
              amountMinor: lines.reduce((sum, l) => sum + l.amountMinor, 0),
            };
          });
      });
    },

    /**
     * Units shipped per SKU in [from, to), for the return-rate report: every parcel that left in the window (a rejected
     * one never did). A report, off the order path: it reads the brand's orders placed before `to`.
     */
    async shippedUnits({ brand, from, to }: { brand?: string; from: Date; to: Date }): Promise<Map<string, number>> {
      const units = new Map<string, number>();
      // An order that shipped before `to` was ordered before it; the bound helps MongoDB, FerretDB filters it after the brand.
      const query = { ...(brand ? { brand } : {}), orderedAt: { $lt: to } };
      for await (const record of Order.find(query, { view: 1 }).lean().cursor()) {
        const view = record.view as OrderView;
        const lines = new Map(view.order.lines.map((line) => [line.lineId, line]));
        for (const shipment of view.shipments ?? []) {
          if (shipment.step === 'rejected' || !shipment.shippedAt) continue;
          const at = Date.parse(shipment.shippedAt);
          if (at < from.getTime() || at >= to.getTime()) continue;
          for (const lineId of shipment.lineIds) {
            const line = lines.get(lineId);
            if (line) units.set(line.sku, (units.get(line.sku) ?? 0) + line.quantity);
          }
        }
      }
      return units;
    },

    /** The order's audit trail, oldest first. */
    async audit(orderId: string): Promise<AuditEntry[]> {
      const entries = await AuditEvent.find({ orderId }).sort({ seq: 1 }).lean();
      return entries.map(({ seq, at, actor, action, before, after, detail, traceId }) => ({
        seq,
        at: at.toISOString(),
        actor: actor as AuditEntry['actor'],
        action,
        before,
        after,
        ...(detail ? { detail } : {}),
        ...(traceId ? { traceId } : {}),
      }));
    },

    /** Notes that the buyer placed this order, once per order id, for the buyer-history counts. */
    async recordBuyerOrder(orderId: string, buyerId: string, orderedAt: Date): Promise<void> {
      await insertOnce(BuyerOrder, { _id: orderId, buyerId, orderedAt });
    },

    /**
     * The buyer's other orders (MR-3): how many (up to BUYER_HISTORY_READ), and how many since `windowStart`. One read,
     * newest first, counted here: both counts come from the same rows.
     */
    async buyerHistory(buyerId: string, exceptOrderId: string, windowStart: Date): Promise<BuyerHistory> {
      const others = await BuyerOrder.find({ buyerId, _id: { $ne: exceptOrderId } }, { _id: 0, orderedAt: 1 })
        .sort({ orderedAt: -1 })
        .limit(BUYER_HISTORY_READ)
        .lean();
      return { previousOrderCount: others.length, ordersInWindow: others.filter((o) => o.orderedAt >= windowStart).length };
    },

    /** Orders holding stock at the warehouse that it has not shipped yet: the candidates of an outage re-route (RT-4). */
    async ordersHeldAt(warehouseId: string): Promise<string[]> {
      const records = await Order.find({ warehouseIds: warehouseId, status: { $in: NOT_YET_SHIPPED } }, { _id: 1 }).lean();
      return records.map((r) => r._id);
    },

    /** Every order's latest mirrored view, streamed in no particular order: the invariant checker reads them all. */
    async *allViews(): AsyncGenerator<OrderView> {
      for await (const record of Order.find({}, { view: 1 }).lean().cursor()) yield record.view as OrderView;
    },

    /** Every status with its orders counted, from one read (the bench and an operations overview). */
    async tally(): Promise<Record<string, StatusTally>> {
      const tally: Record<string, StatusTally> = {};
      for (const { status, holdReasons, updatedAt } of await Order.find({}, { status: 1, holdReasons: 1, updatedAt: 1 }).lean()) {
        const entry = (tally[status] ??= { orders: 0, lastUpdatedAt: updatedAt.toISOString(), byHoldReason: {} });
        entry.orders += 1;
        if (updatedAt.toISOString() > entry.lastUpdatedAt) entry.lastUpdatedAt = updatedAt.toISOString();
        for (const reason of holdReasons) entry.byHoldReason[reason] = (entry.byHoldReason[reason] ?? 0) + 1;
      }
      return tally;
    },
  };
}

/** The order read model of one database. */
export type OrderReadModel = ReturnType<typeof createOrderReadModel>;
