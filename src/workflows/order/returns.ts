/**
 * The order's returns (fifth design): each valid request (RF-1) starts a return workflow the order abandons on close, so
 * a return outlives the order's run; the order hears how each stands, stays open while any is in flight, and ships the
 * replacement of an exchange through its normal routing and fulfilment.
 */
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { returnWorkflowId, rmaNumber } from '../../domain/ids';
import type { OrderReturn, OrderView } from '../../domain/orderView';
import type { ReturnLine, ReturnRequest, ReturnStatus, ReturnView } from '../../domain/returns';
import { BrandKey, ChannelKey, ReturnReasonKey, ReturnStatusKey } from '../../domain/searchAttributes';
import type { ReturnProgress } from '../returns/messages';
import type { ReturnWorkflowInput } from '../returns/workflow';
import { refuse } from './failures';
import { Mutex } from './mutex';
import type { OrderRun } from './run';
import { returnSchemas } from './schemas';
import { nowIso, systemActor } from './state';

/** Statuses after which a return needs nothing more from its order. */
const settledStatuses: readonly ReturnStatus[] = ['REFUNDED', 'COMPLETED', 'REJECTED', 'CANCELLED'];
/** How often an exchange whose replacement found no stock is routed again. */
const EXCHANGE_RETRY_SECONDS = 3600;

/** One order's returns room. */
export class OrderReturns {
  /** Exchanges waiting for their replacement to be routed and dispatched. */
  private readonly exchanges: Array<{ returnId: string; lineIds: string[] }> = [];
  /** Replacement shipments by the return they replace for, until they ship. */
  private readonly replacements = new Map<string, string[]>();
  /** Requests are checked one at a time, so two cannot both take the same units (RF-1). */
  private readonly checking = new Mutex();
  /** True after an exchange found no stock: the next attempt waits. */
  stalled = false;

  constructor(private readonly run: OrderRun) {}

  /** RF-1: checks a request against the order, its earlier returns and the brand's policy, then starts its return. */
  accept(request: ReturnRequest): Promise<OrderView> {
    const { run } = this;
    return this.checking.run(async () => {
      const view = run.current();
      // A repeated request (same return id) answers what the first did.
      if (view.returns.some((r) => r.returnId === request.returnId)) return view;
      const resolved = await run.steps.loadReturnPolicy({ brand: view.order.brand });
      const checked = returnSchemas().validateReturnRequest(request, {
        view,
        earlier: view.returns.flatMap((r) => (r.lines && r.status ? [{ returnId: r.returnId, status: r.status, lines: r.lines }] : [])),
        policy: resolved.policy,
        returnWindowSeconds: view.policy?.returnWindowSeconds ?? 0,
        now: nowIso(),
      });
      if (!checked.ok) refuse(checked.code, checked.message);
      if (request.outcome === 'exchange' && checked.lines.some((l) => l.quantity !== lineQuantity(view, l.lineId)))
        refuse('EXCHANGE_NOT_ALLOWED', 'an exchange replaces whole lines: return every unit of each line, or ask for a refund');
      const at = nowIso();
      const rma = rmaNumber(view.orderId, request.returnId);
      const returned: ReturnView = {
        orderId: view.orderId,
        returnId: request.returnId,
        rma,
        brand: view.order.brand,
        channel: view.order.channel,
        requestedBy: request.requestedBy,
        actor: request.actor,
        requestedAt: at,
        reason: request.reason,
        ...(request.note ? { note: request.note } : {}),
        photos: request.photos,
        outcome: request.outcome,
        lines: checked.lines,
        status: 'REQUESTED',
        freeReturn: resolved.policy.freeReturn,
        policyVersion: resolved.version,
        timeline: [{ at, status: 'REQUESTED', note: `accepted under return policy v${resolved.version}` }],
        version: 1,
      };
      const entry: OrderReturn = {
        returnId: request.returnId,
        reason: request.reason,
        at,
        rma,
        status: 'REQUESTED',
        outcome: request.outcome,
        lines: request.lines,
      };
      view.returns.push(entry);
      await startChild<(input: ReturnWorkflowInput) => Promise<ReturnView>>('returnWorkflow', {
        workflowId: returnWorkflowId(view.orderId, request.returnId),
        // The return goes on if this run continues as new or the order closes: it tells the order by workflow id.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: [
          { key: BrandKey, value: view.order.brand },
          { key: ChannelKey, value: view.order.channel },
          { key: ReturnStatusKey, value: 'REQUESTED' },
          { key: ReturnReasonKey, value: request.reason },
        ],
        args: [
          {
            view: returned,
            orderWorkflowId: run.workflowId,
            destination: destinationOf(view, checked.lines),
            buyer: { address: view.order.shippingAddress, ...(view.order.buyer.phone ? { phone: view.order.buyer.phone } : {}) },
            payment: {
              orderId: view.orderId,
              channel: view.order.channel,
              channelOrderId: view.order.channelOrderId,
              ...(request.channelRefundId ? { channelRefundId: request.channelRefundId } : {}),
            },
            policy: resolved.policy,
          },
        ],
      });
      const actor = { kind: request.requestedBy === 'buyer' ? ('buyer' as const) : request.requestedBy, id: request.actor };
      await run.record({ actor, action: 'RETURN_REQUESTED', after: { ...entry, policyVersion: resolved.version }, detail: request.note });
      await run.flush();
      return run.current();
    });
  }

  /** A return tells how it stands: noted on the order and in its audit trail; an exchange queues its replacement. */
  progressed(progress: ReturnProgress): void {
    const view = this.run.current();
    const entry = view.returns.find((r) => r.returnId === progress.returnId);
    if (!entry) return;
    entry.status = progress.status;
    if (progress.refundedMinor !== undefined) entry.refundedMinor = progress.refundedMinor;
    if (progress.replace) this.exchanges.push({ returnId: progress.returnId, lineIds: progress.replace.map((l) => l.lineId) });
    void this.run.record({
      actor: systemActor,
      action: `RETURN_${progress.status}`,
      after: {
        returnId: progress.returnId,
        // The return holds its inspection report and refund: the order's trail links to it (RF-3).
        report: `/v1/orders/${view.orderId}/returns/${progress.returnId}`,
        ...(progress.refundedMinor !== undefined ? { refundedMinor: progress.refundedMinor } : {}),
      },
      detail: progress.note,
    });
  }

  /** True while a return has not settled: the order does not close before. */
  inFlight(): boolean {
    return this.run.current().returns.some((r) => r.status !== undefined && !settledStatuses.includes(r.status));
  }

  /** True when the lifecycle has something to do for its returns: a replacement to send or to write back, or notes to write. */
  hasWork(): boolean {
    return (this.exchanges.length > 0 && !this.stalled) || this.run.fulfilment.pendingWriteBacks().length > 0 || this.run.hasUnwritten();
  }

  /** Does it, in line with the lifecycle: routes and dispatches replacements, writes shipped ones back and tells their returns. */
  async work(): Promise<void> {
    const { run } = this;
    while (this.exchanges.length > 0 && !this.stalled) {
      const exchange = this.exchanges[0]!;
      const shipmentIds = await run.fulfilment.replace(exchange.lineIds, `exchange for return ${exchange.returnId}`);
      if (!shipmentIds) {
        this.stalled = true;
        break;
      }
      this.exchanges.shift();
      this.replacements.set(exchange.returnId, shipmentIds);
    }
    await run.fulfilment.completeShipped();
    for (const [returnId, shipmentIds] of this.replacements) {
      const shipped = run.current().shipments.find((s) => shipmentIds.includes(s.shipmentId) && s.writtenBack);
      if (!shipped) continue;
      this.replacements.delete(returnId);
      await run.signalReturn(returnId, {
        shipmentId: shipped.shipmentId,
        carrier: shipped.carrier!,
        trackingNumber: shipped.trackingNumber!,
      });
    }
    await run.pause();
  }

  /** True when no exchange waits for its replacement to be sent or to ship: nothing a continued run would lose. */
  idle(): boolean {
    return this.exchanges.length === 0 && this.replacements.size === 0;
  }

  /** When an exchange that found no stock is tried again. */
  retrySeconds(): number | undefined {
    return this.stalled ? EXCHANGE_RETRY_SECONDS : undefined;
  }
}

/** The quantity the order has of a line. */
function lineQuantity(view: OrderView, lineId: string): number {
  return view.order.lines.find((l) => l.lineId === lineId)?.quantity ?? 0;
}

/** Where the returned parcel goes: the warehouse (or supplier) that shipped its first line, with the carrier that delivered it. */
function destinationOf(view: OrderView, lines: ReturnLine[]): ReturnWorkflowInput['destination'] {
  const shipment = view.shipments.find((s) => s.shipmentId === lines[0]!.shipmentId) ?? view.shipments.find((s) => s.shippedAt)!;
  return { kind: shipment.kind, id: shipment.locationId, ...(shipment.carrier ? { carrier: shipment.carrier } : {}) };
}
