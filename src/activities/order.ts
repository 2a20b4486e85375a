/** Order activities: policy, risk review and the audit trail with its read model. */
import type { CanonicalOrder } from '../domain/order';
import type { AuditEntry, Hold, OrderView } from '../domain/orderView';
import { resolvePolicy, type OrderPolicy } from '../domain/policy';
import { checkPriceGuard } from '../domain/priceGuard';
import { assessRisk } from '../domain/risk';
import { insertOnce } from '../db/connection';
import type { ActivityDeps } from './deps';
import { createOutbox } from './outbox';

/** Builds the order activities. */
export function createOrderActivities(deps: ActivityDeps) {
  const { db, stores } = deps;
  const { Order, AuditEvent, BuyerOrder } = db.models;
  const send = createOutbox(deps);
  return {
    /** Tells the supervisor on duty that an order waits for review, with its named holds (MR-3). */
    async notifySupervisor(input: { orderId: string; holds: Hold[]; since: string }): Promise<void> {
      await send({ key: `notify:held:${input.orderId}:${input.since}`, target: 'notification', kind: 'orderHeld', orderId: input.orderId, recipient: 'supervisor', payload: { holds: input.holds, since: input.since } });
    },

    /** The policy in force for the order's brand and channel, read at run time and recorded in history. */
    async loadOrderPolicy(input: { brand: string; channel: CanonicalOrder['channel'] }): Promise<{ policy: OrderPolicy; appliedOverrides: string[] }> {
      const { body, version } = await stores.policy.latest();
      const resolved = resolvePolicy(body.base, body.overrides, input);
      return { policy: resolved.policy, appliedOverrides: [`policy v${version}`, ...resolved.appliedOverrideIds] };
    },

    /** Risk rules (MR-3) and the price guard (MR-4): the named holds the order must pass before it may reserve stock. */
    async assessOrderRisk(input: { orderId: string; order: CanonicalOrder; policy: OrderPolicy }): Promise<Hold[]> {
      const { order, policy } = input;
      const orderedAt = new Date(order.createdAt);
      await insertOnce(BuyerOrder, { _id: input.orderId, buyerId: order.buyer.id, orderedAt });
      const windowStart = new Date(orderedAt.getTime() - policy.risk.buyerOrderBurst.windowSeconds * 1000);
      const others = { buyerId: order.buyer.id, _id: { $ne: input.orderId } };
      const [previousOrderCount, ordersInWindow] = await Promise.all([
        BuyerOrder.countDocuments(others),
        BuyerOrder.countDocuments({ ...others, orderedAt: { $gte: windowStart } }),
      ]);
      const risk = assessRisk(order, { previousOrderCount, ordersInWindow }, policy.risk);
      const price = checkPriceGuard(order, policy.priceGuard);
      return [...risk.holds, ...price].map(({ reason, ruleId, detail }) => ({ reason, ruleId, detail }));
    },

    /** Appends one audit entry (OP-2) and mirrors the order into the read model; safe to retry. */
    async recordOrderChange(input: { view: OrderView; audit: AuditEntry & { seq: number; at: string } }): Promise<void> {
      const { view, audit } = input;
      await insertOnce(AuditEvent, { _id: `${view.orderId}:${audit.seq}`, orderId: view.orderId, ...audit, at: new Date(audit.at) });
      const now = new Date();
      const fields = {
        workflowId: view.workflowId,
        channel: view.order.channel,
        channelOrderId: view.order.channelOrderId,
        brand: view.order.brand,
        buyerId: view.order.buyer.id,
        status: view.status,
        holdReasons: view.holds.map((h) => h.reason),
        warehouseIds: [...new Set(view.shipments.filter((s) => s.kind === 'warehouse').map((s) => s.locationId))],
        supplierIds: [...new Set(view.shipments.filter((s) => s.kind === 'supplier').map((s) => s.locationId))],
        orderedAt: new Date(view.order.createdAt),
        paidAt: view.order.paidAt ? new Date(view.order.paidAt) : undefined,
        version: view.version,
        view,
        updatedAt: now,
      };
      // Only a newer version replaces the mirror, so a retried older write never goes back in time. The version
      // is read by _id first rather than put in the update filter: FerretDB scans for anything but a bare _id.
      const existing = await Order.findById(view.orderId, { version: 1 }).lean();
      if (existing) {
        if (existing.version < view.version) await Order.updateOne({ _id: view.orderId }, { $set: fields });
        return;
      }
      await insertOnce(Order, { _id: view.orderId, ...fields, createdAt: now });
    },
  };
}
