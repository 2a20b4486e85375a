/**
 * One return, from request to money back (RF-1…RF-4): a durable workflow its order starts (and abandons on close, so a
 * return outlives the order's run). It issues the return label and books the inbound parcel (RF-2), waits for the
 * receiving warehouse's scan and inspection (RF-3), puts resellable units back on stock, and refunds through whoever
 * holds the money, watching the refund until it settles (RF-4) — or, for an exchange, has the order ship a replacement.
 */
import {
  condition,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { RefundRequest } from '../../activities/partners/types';
import type { ReturnDestination } from '../../activities/returns';
import { refundKeyOf } from '../../domain/ids';
import type { Address } from '../../domain/order';
import type { ReturnPolicy } from '../../domain/returnPolicy';
import type { ReturnStatus, ReturnUnits, ReturnView } from '../../domain/returns';
import { ReturnStatusKey } from '../../domain/searchAttributes';
import { refuse, validate } from '../order/failures';
import { deliveryProxies } from '../order/proxies';
import { returnSchemas } from '../order/schemas';
import {
  cancelReturn,
  decideReturn,
  getReturn,
  inspectReturn,
  receiveReturn,
  replacementShipped,
  returnProgressed,
  type ReturnProgress,
} from './messages';

/** The patch under which a supplier destination is told of its returns, as a warehouse's WMS always was. */
const SUPPLIER_TOLD = 'return-inbound-supplier';
/** The patch under which units refunded nothing are sent back to the customer. */
const SEND_BACK = 'return-send-back';

const activities = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** Settlement checks start this soon after the refund (most holders settle within seconds) and back off, doubling… */
const FIRST_CHECK_SECONDS = 2;
/** …to at most this, or a quarter of the brand's alert time when that is shorter, so the alert is never late by much. */
const LONGEST_CHECK_SECONDS = 15 * 60;

/** What a return needs from its order, fixed when it was accepted. */
export interface ReturnWorkflowInput {
  /** The accepted return: REQUESTED, its lines priced. */
  view: ReturnView;
  orderWorkflowId: string;
  destination: ReturnDestination;
  buyer: { address: Address; phone?: string };
  /** Who holds the money and under which ids (the rest of the refund comes from the inspection). */
  payment: Pick<RefundRequest, 'orderId' | 'channel' | 'channelOrderId' | 'paymentReference' | 'channelRefundId'>;
  /** The brand's return policy as resolved when the return was accepted. */
  policy: Pick<ReturnPolicy, 'lightWearDeductionPercent' | 'refundSettlementAlertSeconds'>;
}

/** Runs one return to REFUNDED or COMPLETED, and returns its final state. */
export async function returnWorkflow(input: ReturnWorkflowInput): Promise<ReturnView> {
  const { view, destination } = input;
  const partners = deliveryProxies(workflowInfo().taskQueue);
  const order = getExternalWorkflowHandle(input.orderWorkflowId);
  let decisions = 0;
  registerReturnHandlers(view, destination, () => (decisions += 1));

  /** Moves the return on: its timeline, the returns store, the Web UI, and its order. */
  const change = async (status: ReturnStatus, note: string, extra: Partial<ReturnProgress> = {}) => {
    view.status = status;
    view.version += 1;
    view.timeline.push({ at: new Date().toISOString(), status, note });
    upsertSearchAttributes([{ key: ReturnStatusKey, value: status }]);
    await activities.saveReturn(view);
    await order.signal(returnProgressed, { returnId: view.returnId, status, note, ...extra });
  };

  await activities.saveReturn(view);
  const noLabel = await issueLabel(view, input, partners);
  await change(
    'LABEL_ISSUED',
    view.label ? `label ${view.label.carrier} ${view.label.trackingNumber}` : `no label (${noLabel}): sent back by the customer`,
  );
  await condition(() => view.receivedAt !== undefined || view.cancellation !== undefined);
  if (view.cancellation) {
    // The receiving dock stops expecting the parcel; an unused return label costs nothing, so the carrier is not called.
    if (destination.kind === 'warehouse' || patched(SUPPLIER_TOLD)) await partners.withdrawReturnInbound({ view, destination });
    await change('CANCELLED', `withdrawn by ${view.cancellation.by}: ${view.cancellation.reason}`);
    return view;
  }
  await change('RECEIVED', `scanned in at ${destination.kind} ${destination.id}`);
  await condition(() => view.inspection !== undefined);
  const { refundAmountOf, resellableUnitsOf } = returnSchemas();
  const units = resellableUnitsOf(view.lines, view.inspection!);
  if (units.length > 0 && destination.kind === 'warehouse')
    await activities.restockReturn({ orderId: view.orderId, returnId: view.returnId, warehouseId: destination.id, units });
  await change('INSPECTED', `${units.reduce((n, u) => n + u.quantity, 0)} unit(s) back on stock`);
  let assessment = refundAmountOf(view.lines, view.inspection!, input.policy);
  if (assessment.awaitingDecision) {
    await change('AWAITING_DECISION', 'units not resellable: operations decide a partial refund or sending them back');
    const text = `您的退货 ${view.rma} 经质检部分商品不符合退货条件，客服将与您联系确认处理方式。`;
    await partners.notifyCustomer({ view, ...(input.buyer.phone ? { phone: input.buyer.phone } : {}), text });
    await condition(() => view.decision !== undefined);
    assessment = refundAmountOf(view.lines, view.inspection!, input.policy, view.decision);
    const back = returnSchemas().sentBackUnitsOf(view.lines, view.inspection!, view.decision);
    // Added while returns ran: a return decided before it recorded no send-back.
    if (back.length > 0 && patched(SEND_BACK)) await sendBack(view, input, back, partners);
  }
  if (view.outcome === 'exchange') {
    // Units sent back to the customer are not replaced as well.
    const sentBack = (lineId: string) => view.sentBack?.lines.find((l) => l.lineId === lineId)?.quantity ?? 0;
    const replace = view.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity - sentBack(l.lineId) })).filter((l) => l.quantity > 0);
    if (replace.length === 0) {
      await change('COMPLETED', `nothing to replace; ${sentBackNote(view.sentBack!)}`);
      return view;
    }
    await change('EXCHANGE_SHIPPING', 'the order ships the replacement', { replace });
    await condition(() => view.exchange !== undefined);
    await change('COMPLETED', `replacement ${view.exchange!.shipmentId} shipped`);
    return view;
  }
  if (assessment.amountMinor === 0) {
    await change('COMPLETED', `nothing to refund${view.sentBack ? `; ${sentBackNote(view.sentBack)}` : ''}`);
    return view;
  }
  await refund(view, input, assessment.amountMinor, partners, change, () => decisions);
  await change('REFUNDED', `refunded ${assessment.amountMinor} (minor units)`, { refundedMinor: assessment.amountMinor });
  return view;
}

/** RF-3: units refunded nothing go back to the customer: a label from the destination's carrier, and the destination told to ship them. */
async function sendBack(
  view: ReturnView,
  input: ReturnWorkflowInput,
  units: ReturnUnits,
  partners: ReturnType<typeof deliveryProxies>,
): Promise<void> {
  const label = await partners.issueSendBackLabel({ view, destination: input.destination, to: input.buyer.address, units });
  const printed = label.delivered && label.reference ? { carrier: label.carrier, trackingNumber: label.reference } : undefined;
  await partners.announceSendBack({ view, destination: input.destination, units, ...(printed ? { label: printed } : {}) });
  view.sentBack = { lines: units, ...printed, at: new Date().toISOString() };
}

/** How the timeline tells a send-back. */
function sentBackNote(sent: NonNullable<ReturnView['sentBack']>): string {
  const units = sent.lines.reduce((n, l) => n + l.quantity, 0);
  return `${units} unit(s) sent back to the customer ${sent.trackingNumber ? `under ${sent.carrier} ${sent.trackingNumber}` : 'without a label'}`;
}

/** RF-2: the return label from the destination's carrier, and the inbound booking at its WMS; why there is no label, if none. */
async function issueLabel(
  view: ReturnView,
  input: ReturnWorkflowInput,
  partners: ReturnType<typeof deliveryProxies>,
): Promise<string | undefined> {
  const label = await partners.issueReturnLabel({ view, destination: input.destination, from: input.buyer.address });
  if (label.delivered && label.reference) {
    view.label = {
      carrier: label.carrier,
      trackingNumber: label.reference,
      paidBy: view.freeReturn ? 'brand' : 'customer',
      issuedAt: new Date().toISOString(),
    };
  }
  // A supplier that takes a drop-shipped parcel back is told too (added while returns ran: theirs were not).
  if (input.destination.kind === 'warehouse' || patched(SUPPLIER_TOLD))
    await partners.bookReturnInbound({ view, destination: input.destination });
  return label.delivered ? (label.reference ? undefined : `${label.carrier} gave no tracking number`) : label.reason;
}

/**
 * RF-4: refunds under the return's key (a retry never pays twice), watches the refund until it settles — finance is
 * told once if it has not within the brand's time — and tells the channel. A holder that refuses or fails the refund
 * waits for operations' decision before it is asked again.
 */
async function refund(
  view: ReturnView,
  input: ReturnWorkflowInput,
  amountMinor: number,
  partners: ReturnType<typeof deliveryProxies>,
  change: (status: ReturnStatus, note: string) => Promise<void>,
  decisionsSoFar: () => number,
): Promise<void> {
  const key = refundKeyOf(view.orderId, view.returnId);
  const request: RefundRequest = {
    ...input.payment,
    amountMinor,
    reason: `return ${view.rma}: ${view.reason}`,
    cause: `return:${view.returnId}`,
    lines: view.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity })),
  };
  view.refund = { key, amountMinor, state: 'pending' };
  await change('REFUNDING', `refund of ${amountMinor} asked of ${input.payment.channel}'s money holder`);
  const alertAt = Date.now() + input.policy.refundSettlementAlertSeconds * 1000;
  for (;;) {
    const issued = await partners.requestRefund({ refund: request, key });
    if (issued.delivered) {
      Object.assign(view.refund, {
        state: 'issued',
        issuedAt: new Date().toISOString(),
        ...(issued.reference ? { reference: issued.reference } : {}),
      });
      const longest = Math.max(FIRST_CHECK_SECONDS, Math.min(LONGEST_CHECK_SECONDS, input.policy.refundSettlementAlertSeconds / 4));
      let wait = Math.min(FIRST_CHECK_SECONDS, longest);
      for (;;) {
        const settlement = await activities.refundSettlement({ refund: request, key });
        if (settlement.state === 'settled') {
          Object.assign(view.refund, { state: 'settled', settledAt: new Date().toISOString() });
          await partners.writeBackRefund({
            refund: request,
            ...(view.refund.reference ? { reference: view.refund.reference } : {}),
            key: `${key}:write-back`,
          });
          return;
        }
        if (settlement.state === 'failed') break;
        if (!view.refund.alertedAt && Date.now() >= alertAt) {
          view.refund.alertedAt = new Date().toISOString();
          await partners.notifyOperations({
            key: `finance:refund-unsettled:${key}`,
            kind: 'refundUnsettled',
            orderId: view.orderId,
            summary: `refund ${key} of ${amountMinor} is not settled ${input.policy.refundSettlementAlertSeconds} s after it was asked for`,
            detail: { returnId: view.returnId, rma: view.rma, channel: input.payment.channel, reference: view.refund.reference },
          });
          await activities.saveReturn(view);
        }
        await sleep(wait * 1000);
        wait = Math.min(wait * 2, longest);
      }
    }
    view.refund.state = 'failed';
    const seen = decisionsSoFar();
    await partners.notifyOperations({
      key: `finance:refund-failed:${key}:${seen}`,
      kind: 'refundFailed',
      orderId: view.orderId,
      summary: `refund ${key} of ${amountMinor} was refused or failed: operations decide, then it is asked again`,
      detail: { returnId: view.returnId, rma: view.rma },
    });
    await change('AWAITING_DECISION', 'the refund was refused or failed');
    await condition(() => decisionsSoFar() > seen);
    await change('REFUNDING', 'asked again after operations decided');
  }
}

/** The return's query and the receiving side's and operations' updates, each refusing what does not fit now. */
function registerReturnHandlers(view: ReturnView, destination: ReturnDestination, decided: () => void): void {
  setHandler(getReturn, () => view);
  const fromDestination = (by: { kind: string; id: string }) => {
    // Another party's return answers exactly like a missing one, so ids do not leak.
    if (by.kind !== 'operations' && (by.kind !== destination.kind || by.id !== destination.id))
      refuse('UNKNOWN_RETURN', `no return ${view.returnId} on this order`);
  };
  setHandler(
    receiveReturn,
    async (receipt) => {
      view.receivedAt = receipt.at;
      await condition(() => view.status === 'RECEIVED');
      return view;
    },
    {
      validator: (receipt) => {
        fromDestination(receipt.by);
        if (view.receivedAt) refuse('INVALID_TRANSITION', `return ${view.returnId} was received at ${view.receivedAt}`);
        if (view.cancellation) refuse('INVALID_TRANSITION', `return ${view.returnId} was withdrawn at ${view.cancellation.at}`);
      },
    },
  );
  setHandler(
    cancelReturn,
    async (cancellation) => {
      view.cancellation = cancellation;
      await condition(() => view.status === 'CANCELLED');
      return view;
    },
    {
      validator: (_cancellation) => {
        if (view.cancellation) refuse('INVALID_TRANSITION', `return ${view.returnId} was withdrawn at ${view.cancellation.at}`);
        // Once the parcel is in, inspection decides: a withdrawal would leave the units neither refunded nor sent back.
        if (view.receivedAt) refuse('RETURN_ALREADY_RECEIVED', `return ${view.returnId} was received at ${view.receivedAt}`);
      },
    },
  );
  setHandler(
    inspectReturn,
    async ({ by: _by, ...report }) => {
      view.inspection = report;
      await condition(() => view.status !== 'RECEIVED');
      return view;
    },
    {
      validator: (report) => {
        fromDestination(report.by);
        const { checkInspection, inspectionReportSchema } = returnSchemas();
        validate(inspectionReportSchema, { lines: report.lines, inspector: report.inspector, at: report.at });
        if (view.status !== 'RECEIVED' || view.inspection) refuse('INVALID_TRANSITION', `return ${view.returnId} is ${view.status}`);
        const checked = checkInspection(view.lines, report);
        if (!checked.ok) refuse(checked.code, checked.message);
      },
    },
  );
  setHandler(
    decideReturn,
    async (decision) => {
      view.decision = decision;
      decided();
      await condition(() => view.status !== 'AWAITING_DECISION');
      return view;
    },
    {
      validator: (decision) => {
        validate(returnSchemas().inspectionDecisionSchema, decision);
        if (view.status !== 'AWAITING_DECISION')
          refuse('INVALID_TRANSITION', `return ${view.returnId} is ${view.status}, not awaiting a decision`);
      },
    },
  );
  setHandler(replacementShipped, (shipment) => {
    view.exchange = shipment;
  });
}
