/** Order activities: policy, risk review and the audit trail with its read model. */
import type { CanonicalOrder } from '../domain/order';
import type { AuditEntry, Hold, OrderView } from '../domain/orderView';
import { resolvePolicy, type OrderPolicy } from '../domain/policy';
import { checkPriceGuard } from '../domain/priceGuard';
import { assessRisk } from '../domain/risk';
import type { ActivityDeps } from './deps';
import { createSender } from './outbox';

/** Builds the order activities. */
export function createOrderActivities(deps: ActivityDeps) {
  const { stores } = deps;
  const send = createSender(deps);
  return {
    /** Tells the supervisor on duty that an order waits for review, with its named holds (MR-3). */
    async notifySupervisor(input: { orderId: string; holds: Hold[]; since: string }): Promise<void> {
      await send({
        key: `notify:held:${input.orderId}:${input.since}`,
        target: 'notification',
        kind: 'orderHeld',
        orderId: input.orderId,
        recipient: 'supervisor',
        payload: { holds: input.holds, since: input.since },
      });
    },

    /** The policy in force for the order's brand and channel, read at run time and recorded in history. */
    async loadOrderPolicy(input: {
      brand: string;
      channel: CanonicalOrder['channel'];
    }): Promise<{ policy: OrderPolicy; appliedOverrides: string[] }> {
      const { body, version } = await stores.policy.latest();
      const resolved = resolvePolicy(body.base, body.overrides, input);
      return { policy: resolved.policy, appliedOverrides: [`policy v${version}`, ...resolved.appliedOverrideIds] };
    },

    /** Risk rules (MR-3) and the price guard (MR-4): the named holds the order must pass before it may reserve stock. */
    async assessOrderRisk(input: { orderId: string; order: CanonicalOrder; policy: OrderPolicy }): Promise<Hold[]> {
      const { order, policy } = input;
      const orderedAt = new Date(order.createdAt);
      await stores.orders.recordBuyerOrder(input.orderId, order.buyer.id, orderedAt);
      const windowStart = new Date(orderedAt.getTime() - policy.risk.buyerOrderBurst.windowSeconds * 1000);
      const history = await stores.orders.buyerHistory(order.buyer.id, input.orderId, windowStart);
      const risk = assessRisk(order, history, policy.risk);
      const price = checkPriceGuard(order, policy.priceGuard);
      return [...risk.holds, ...price].map(({ reason, ruleId, detail }) => ({ reason, ruleId, detail }));
    },

    /** Appends one audit entry (OP-2) and mirrors the order into the read model; safe to retry. */
    async recordOrderChange(input: { view: OrderView; audit: AuditEntry }): Promise<void> {
      await stores.orders.mirror(input.view, input.audit);
    },
  };
}
