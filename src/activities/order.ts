/** Order activities: policy, risk review and the audit trail with its read model. */
import type { EscalationSettings } from '../domain/escalation';
import type { CanonicalOrder } from '../domain/order';
import type { AuditEntry, Hold, OrderView } from '../domain/orderView';
import { resolvePolicy, type OrderPolicy } from '../domain/policy';
import { checkPriceGuard } from '../domain/priceGuard';
import { assessRisk } from '../domain/risk';
import type { OrderChanges } from '../db/orderReadModel';
import type { OrderStatus } from '../domain/status';
import { countStatusChange, observePaymentToReserved } from '../metrics/hub';
import { activeTraceId } from '../tracing';
import type { ActivityDeps } from './deps';

/** Counts status changes and the time from payment to reservation (INV-1) as a batch is written. */
function observeMilestones(entries: AuditEntry[], paidAt: string | undefined, status: OrderStatus | undefined): void {
  if (status) countStatusChange(status);
  const reserved = entries.find((entry) => entry.action === 'STOCK_RESERVED');
  if (reserved && paidAt) observePaymentToReserved((Date.parse(reserved.at) - Date.parse(paidAt)) / 1000);
}

/**
 * The entry stamped with the trace it is written in (the request that started the order, continued through its
 * workflow into this activity), so an order's trail leads to its trace; unchanged when tracing is off.
 */
function withTrace(entry: AuditEntry, traceId: string | undefined): AuditEntry {
  return traceId ? { ...entry, traceId } : entry;
}

/** What an order arriving in the sixth design is given at once: its policy, its holds and the escalation settings. */
export interface ReceivedOrder {
  policy: OrderPolicy;
  appliedOverrides: string[];
  holds: Hold[];
  /** The escalation settings in force, from which the watcher resolves the order's and each location's policy. */
  escalation: { settings: EscalationSettings; version: number };
}

/** Builds the order activities. */
export function createOrderActivities(deps: ActivityDeps) {
  const { stores } = deps;

  const loadOrderPolicy = async (input: {
    brand: string;
    channel: CanonicalOrder['channel'];
  }): Promise<{ policy: OrderPolicy; appliedOverrides: string[] }> => {
    const { body, version } = await stores.policy.latest();
    const resolved = resolvePolicy(body.base, body.overrides, input);
    return { policy: resolved.policy, appliedOverrides: [`policy v${version}`, ...resolved.appliedOverrideIds] };
  };

  const assessOrderRisk = async (input: { orderId: string; order: CanonicalOrder; policy: OrderPolicy }): Promise<Hold[]> => {
    const { order, policy } = input;
    const orderedAt = new Date(order.createdAt);
    await stores.orders.recordBuyerOrder(input.orderId, order.buyer.id, orderedAt);
    const windowStart = new Date(orderedAt.getTime() - policy.risk.buyerOrderBurst.windowSeconds * 1000);
    const history = await stores.orders.buyerHistory(order.buyer.id, input.orderId, windowStart);
    const risk = assessRisk(order, history, policy.risk);
    const price = checkPriceGuard(order, policy.priceGuard);
    return [...risk.holds, ...price].map(({ reason, ruleId, detail }) => ({ reason, ruleId, detail }));
  };

  return {
    /** The policy in force for the order's brand and channel, read at run time and recorded in history. */
    loadOrderPolicy,

    /** Risk rules (MR-3) and the price guard (MR-4): the named holds the order must pass before it may reserve stock. */
    assessOrderRisk,

    /**
     * Sixth design: the policy, the holds and the escalation settings in one step, as the order arrives (one local
     * activity where there were two, and no activity task for the escalation policy of the order or its locations).
     */
    async receiveOrder(input: { orderId: string; order: CanonicalOrder }): Promise<ReceivedOrder> {
      const { brand, channel } = input.order;
      const [{ policy, appliedOverrides }, escalation] = await Promise.all([
        loadOrderPolicy({ brand, channel }),
        stores.escalationPolicy.latest(),
      ]);
      const holds = await assessOrderRisk({ ...input, policy });
      return { policy, appliedOverrides, holds, escalation: { settings: escalation.body, version: escalation.version } };
    },

    /** Writes a milestone's audit entries and the view fields that changed (lean design); safe to retry. */
    async recordOrderChanges(batch: OrderChanges): Promise<void> {
      // A flush with nothing new (fourth design) costs no database round trip.
      if (batch.entries.length === 0 && Object.keys(batch.changes).length === 0) return;
      const traceId = activeTraceId();
      await stores.orders.applyChanges({ ...batch, entries: batch.entries.map((entry) => withTrace(entry, traceId)) });
      observeMilestones(batch.entries, batch.paidAt, batch.changes.status);
    },

    /** Appends one audit entry (OP-2) and mirrors the order into the read model; safe to retry. */
    async recordOrderChange(input: { view: OrderView; audit: AuditEntry }): Promise<void> {
      await stores.orders.mirror(input.view, withTrace(input.audit, activeTraceId()));
      observeMilestones([input.audit], input.view.order.paidAt, input.view.status);
    },
  };
}
