/**
 * Escalation activities: the policy in force for an order or shipment (read once and recorded in the workflow's
 * history), and what ES-3 and ES-4 do to a warehouse or supplier — pause dispatch, freeze payouts — and undo.
 */
import { Context } from '@temporalio/activity';
import { resolveEscalationPolicy, type EscalationTarget, type ResolvedEscalationPolicy } from '../domain/escalation';
import { escalationPolicyChanged } from '../workflows/order/messages';
import type { ActivityDeps } from './deps';

/** A warehouse or supplier an escalation acts on. */
type Location = { kind: 'warehouse' | 'supplier'; id: string };

/** Builds the escalation activities. */
export function createEscalationActivities({ stores }: ActivityDeps) {
  /** Sets a warehouse's `paused` flag in a new network version; false when it already was as asked (nothing changed). */
  const setPaused = async (warehouseId: string, paused: boolean, actor: string): Promise<boolean> => {
    const { body, version } = await stores.network.latest();
    const warehouse = body.warehouses.find((w) => w.id === warehouseId);
    if (!warehouse || warehouse.paused === paused) return false;
    const warehouses = body.warehouses.map((w) => (w.id === warehouseId ? { ...w, paused } : w));
    await stores.network.save({ ...body, warehouses }, actor, version);
    return true;
  };
  return {
    /** The escalation policy for a brand and channel (and, after routing, a warehouse or supplier), with its settings version. */
    async loadEscalationPolicy(target: EscalationTarget): Promise<ResolvedEscalationPolicy> {
      const { version, body } = await stores.escalationPolicy.latest();
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

    /** ES-4: freezes a supplier's payouts (left out of the payable export); false when it was frozen already. */
    async freezePayouts(input: { supplierId: string; reason: string; actor: string }): Promise<boolean> {
      const before = await stores.accounts.supplierProfile(input.supplierId);
      if (!before || before.payout.frozen) return false;
      await stores.accounts.freezePayouts(`supplier:${input.supplierId}`, { reason: input.reason, actor: input.actor });
      return true;
    },

    /**
     * Signals every running order on this task queue that the escalation policy changed (one signal each, heartbeating
     * how far it got); an order of a design without the watcher ignores it. Returns how many were told.
     */
    async announceEscalationPolicy(input: { version: number }): Promise<number> {
      const context = Context.current();
      const query = `WorkflowType = 'orderWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${context.info.taskQueue}'`;
      let told = 0;
      for await (const order of context.client.workflow.list({ query })) {
        await context.client.workflow.getHandle(order.workflowId).signal(escalationPolicyChanged, input);
        told += 1;
        context.heartbeat(told);
      }
      return told;
    },

    /** Lifts an escalation's freeze. */
    async unfreezePayouts(input: { supplierId: string; note: string; actor: string }): Promise<void> {
      await stores.accounts.unfreezePayouts(`supplier:${input.supplierId}`, { note: input.note, actor: input.actor });
    },
  };
}
