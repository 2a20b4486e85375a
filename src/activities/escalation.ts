/**
 * Escalation activities: the policy in force for an order or shipment (read once and recorded in the workflow's
 * history), and what ES-3 and ES-4 do to a warehouse or supplier — pause dispatch, freeze payouts — and undo.
 */
import { Context } from '@temporalio/activity';
import { resolveEscalationPolicy, type EscalationScope, type EscalationTarget, type ResolvedEscalationPolicy } from '../domain/escalation';
import { escalationPolicyChanged } from '../workflows/order/messages';
import type { ActivityDeps } from './deps';

/** A warehouse or supplier an escalation acts on. */
type Location = { kind: 'warehouse' | 'supplier'; id: string };

/** Whose payouts change: a location, or (orders that froze before warehouse partners could be) a supplier by id. */
type PayoutChange = ({ location: Location } | { supplierId: string }) & { actor: string };

/** A visibility filter for the orders an override scope matches (search attributes Brand, Channel, WarehouseId, SupplierId). */
function scopeFilter(scope: EscalationScope): string {
  const quoted = (value: string) => `'${value.replace(/['\\]/g, '')}'`;
  const clauses = [
    ...(scope.brand ? [`Brand = ${quoted(scope.brand)}`] : []),
    ...(scope.channel ? [`Channel = ${quoted(scope.channel)}`] : []),
    ...(scope.location ? [`${scope.location.kind === 'warehouse' ? 'WarehouseId' : 'SupplierId'} = ${quoted(scope.location.id)}`] : []),
  ];
  return `(${clauses.join(' AND ')})`;
}

/** The account paid for a location's work. */
function payeeOf(change: PayoutChange): string {
  return 'location' in change ? `${change.location.kind}:${change.location.id}` : `supplier:${change.supplierId}`;
}

/** Builds the escalation activities. */
export function createEscalationActivities({ stores }: ActivityDeps) {
  /** Sets a warehouse's `paused` flag in a new network version; false when it already was as asked (nothing changed). */
  const setPaused = async (warehouseId: string, paused: boolean, actor: string): Promise<boolean> => {
    // Fresh: the new version is based on this one, and a save on a stale base is refused.
    const { body, version } = await stores.network.latest({ fresh: true });
    const warehouse = body.warehouses.find((w) => w.id === warehouseId);
    if (!warehouse || warehouse.paused === paused) return false;
    const warehouses = body.warehouses.map((w) => (w.id === warehouseId ? { ...w, paused } : w));
    await stores.network.save({ ...body, warehouses }, actor, version);
    return true;
  };
  return {
    /**
     * The escalation policy for a brand and channel (and, after routing, a warehouse or supplier), with its settings
     * version. Read fresh: a rollout asks running orders to read the version just saved, maybe by another process.
     */
    async loadEscalationPolicy(target: EscalationTarget): Promise<ResolvedEscalationPolicy> {
      const { version, body } = await stores.escalationPolicy.latest({ fresh: true });
      return resolveEscalationPolicy(body, target, version);
    },

    /**
     * ES-3: routing sends no new order to the warehouse (its network settings) or supplier (its account) until a
     * person resumes it; orders already there stay, the late one is being worked on there. True when this call paused
     * it, so only what escalation paused is resumed.
     */
    async pauseDispatch(input: { location: Location; actor: string }): Promise<boolean> {
      const { kind, id } = input.location;
      return kind === 'warehouse' ? setPaused(id, true, input.actor) : stores.accounts.setDispatchPaused(id, true, input.actor);
    },

    /** Lifts an escalation's pause. */
    async resumeDispatch(input: { location: Location; actor: string }): Promise<boolean> {
      const { kind, id } = input.location;
      return kind === 'warehouse' ? setPaused(id, false, input.actor) : stores.accounts.setDispatchPaused(id, false, input.actor);
    },

    /**
     * ES-4: freezes the payouts of a supplier or of the warehouse partner (left out of the payable export); false when
     * they were frozen already, or the warehouse is the brand's own (no partner account: nobody to withhold from).
     */
    async freezePayouts(input: PayoutChange & { reason: string }): Promise<boolean> {
      const accountId = payeeOf(input);
      const before = await stores.accounts.find(accountId).catch(() => undefined);
      if (!before?.payout || before.payout.frozen) return false;
      await stores.accounts.freezePayouts(accountId, { reason: input.reason, actor: input.actor });
      return true;
    },

    /**
     * Signals the running orders a policy version can time differently (its audience; every order on this task queue
     * when none is given) that the escalation policy changed, one signal each, heartbeating how far it got; an order
     * of a design without the watcher ignores it. Returns how many were told.
     */
    async announceEscalationPolicy(input: { version: number; audience?: 'everyone' | EscalationScope[] }): Promise<number> {
      const context = Context.current();
      const audience = input.audience ?? 'everyone';
      if (audience !== 'everyone' && audience.length === 0) return 0;
      const running = `WorkflowType = 'orderWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${context.info.taskQueue}'`;
      const query = audience === 'everyone' ? running : `${running} AND (${audience.map(scopeFilter).join(' OR ')})`;
      let told = 0;
      for await (const order of context.client.workflow.list({ query })) {
        await context.client.workflow.getHandle(order.workflowId).signal(escalationPolicyChanged, { version: input.version });
        told += 1;
        context.heartbeat(told);
      }
      return told;
    },

    /** Lifts an escalation's freeze. */
    async unfreezePayouts(input: PayoutChange & { note: string }): Promise<void> {
      await stores.accounts.unfreezePayouts(payeeOf(input), { note: input.note, actor: input.actor });
    },
  };
}
