/**
 * Return activities (RF-1…RF-4): the brand's return policy, the return label from the carrier, the inbound booking at
 * the receiving warehouse, resellable units back to stock, the refund through whoever holds the money and its
 * settlement, the customer's notice, and the return's record in the returns store. Every message carries a key made
 * from the return, so a retry delivers nothing twice.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { DeliveryOutcome } from '../domain/delivery';
import type { Address } from '../domain/order';
import { resolveReturnPolicy, type ResolvedReturnPolicy } from '../domain/returnPolicy';
import type { ReturnUnits, ReturnView } from '../domain/returns';
import type { ActivityDeps } from './deps';
import { createDeliverer, partnerRetry } from './delivery';
import { createLocations } from './locations';
import { createAliyunSmsNotifier } from './partners/notify';
import type { RefundRequest, RefundSettlement } from './partners/types';

/** Where a return goes back to: the warehouse that shipped it, or the drop-ship supplier. */
export interface ReturnDestination {
  kind: 'warehouse' | 'supplier';
  id: string;
  /** The carrier that delivered the parcel: it carries the return when the destination names no carrier of its own (a supplier). */
  carrier?: string;
}

/** A return and where it goes; returns started before suppliers were told name only `warehouseId`. */
export interface ReturnReceiver {
  view: ReturnView;
  destination?: ReturnDestination;
  warehouseId?: string;
}

/** How a message names its destination: the warehouse by `warehouseId` (as WMSes always got it), a supplier by `supplierId`. */
function destinationField(destination: ReturnDestination): Record<string, string> {
  return destination.kind === 'warehouse' ? { warehouseId: destination.id } : { supplierId: destination.id };
}

/** Builds the return activities. */
export function createReturnActivities(deps: ActivityDeps) {
  const deliver = createDeliverer(deps);
  const { stores, partners, notifications } = deps;
  const locations = createLocations(deps);
  const sms = notifications.channels.sms && createAliyunSmsNotifier(notifications.channels.sms, { timeoutMs: notifications.timeoutMs });
  const linesOf = (view: ReturnView) => view.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity }));

  /**
   * Where a return's messages go: the receiving warehouse's WMS, or the supplier's order webhook (else its contact's
   * notice target). Earlier returns name only a warehouse id.
   */
  const receiverOf = async (input: ReturnReceiver) => {
    const destination: ReturnDestination = input.destination ?? { kind: 'warehouse', id: input.warehouseId! };
    if (destination.kind === 'warehouse') {
      const wms = (await locations.warehouse(destination.id))?.wms;
      return { destination, partner: { kind: 'wms' as const, id: destination.id }, target: wms && partners.webhook(wms) };
    }
    const { orders, notices } = await locations.supplier(destination.id);
    return { destination, partner: { kind: 'supplier' as const, id: destination.id }, target: orders ?? notices };
  };

  /** Tells a return's destination about it, once per return and kind of message. */
  const tellDestination = async (
    input: ReturnReceiver,
    message: { kind: 'returnInbound' | 'returnInboundWithdrawn' | 'returnSendBack'; type: string; keyPrefix: string },
    detail: Record<string, unknown>,
  ): Promise<DeliveryOutcome> => {
    const { view } = input;
    const { destination, partner, target } = await receiverOf(input);
    const key = `${message.keyPrefix}:${view.orderId}:${view.returnId}`;
    const body = { orderId: view.orderId, returnId: view.returnId, rma: view.rma, ...destinationField(destination), ...detail };
    return deliver({ key, orderId: view.orderId, partner, kind: message.kind }, target && (() => target.post(message.type, body, key)));
  };

  /** Asks the carrier a return travels with (the destination warehouse's, else the one that delivered it) for an e-waybill. */
  const requestLabel = async (
    input: { view: ReturnView; destination: ReturnDestination },
    kind: 'returnLabel' | 'returnSendBackLabel',
    keyPrefix: string,
    waybill: { shipmentId: string; recipient: Address; lines: ReturnUnits },
  ): Promise<DeliveryOutcome & { carrier: string }> => {
    const { view, destination } = input;
    const warehouse = destination.kind === 'warehouse' ? await locations.warehouse(destination.id) : undefined;
    const code = warehouse?.carrier ?? destination.carrier;
    const carrier = code ? partners.carrier(code) : undefined;
    const key = `${keyPrefix}:${view.orderId}:${view.returnId}`;
    const outcome = await deliver(
      { key, orderId: view.orderId, partner: { kind: 'carrier', id: code ?? 'none named' }, kind },
      carrier && (() => carrier.requestWaybill({ orderId: view.orderId, warehouseId: destination.id, ...waybill }, key)),
    );
    return { ...outcome, carrier: code ?? '' };
  };

  return {
    /** The brand's return policy in force, with its settings version (recorded in the return's history). */
    async loadReturnPolicy(input: { brand: string }): Promise<ResolvedReturnPolicy> {
      const { body, version } = await stores.returnPolicy.latest();
      return resolveReturnPolicy(body, input.brand, version);
    },

    /** Writes the return's state to the returns store; an older state never overwrites a newer one. */
    async saveReturn(view: ReturnView): Promise<void> {
      await stores.returns.save(view);
    },

    /**
     * RF-2: asks the destination's carrier (else the one that delivered the parcel) for a return label from the buyer
     * to the destination, under the RMA. A delivered outcome carries the tracking number the label prints as `reference`.
     */
    async issueReturnLabel(input: {
      view: ReturnView;
      destination: ReturnDestination;
      from: Address;
    }): Promise<DeliveryOutcome & { carrier: string }> {
      const { view, from } = input;
      // For the reverse trip: picked up from the buyer, numbered by the RMA.
      return requestLabel(input, 'returnLabel', 'return-label', { shipmentId: view.rma, recipient: from, lines: linesOf(view) });
    },

    /** RF-3: a label for the units operations send back to the customer, from the destination, under the RMA. */
    async issueSendBackLabel(input: {
      view: ReturnView;
      destination: ReturnDestination;
      to: Address;
      units: ReturnUnits;
    }): Promise<DeliveryOutcome & { carrier: string }> {
      const { view, to, units } = input;
      return requestLabel(input, 'returnSendBackLabel', 'return-send-back-label', {
        shipmentId: `${view.rma}-BACK`,
        recipient: to,
        lines: units,
      });
    },

    /** RF-3: tells the destination to ship those units back to the customer, with the label to print. */
    async announceSendBack(
      input: ReturnReceiver & { units: ReturnUnits; label?: { carrier: string; trackingNumber: string } },
    ): Promise<DeliveryOutcome> {
      return tellDestination(
        input,
        { kind: 'returnSendBack', type: 'return.send_back', keyPrefix: 'return-send-back' },
        { lines: input.units, ...(input.label ? { label: input.label } : {}) },
      );
    },

    /** RF-2: books the inbound parcel at its destination (a warehouse's WMS, or the supplier), so it expects the RMA. */
    async bookReturnInbound(input: ReturnReceiver): Promise<DeliveryOutcome> {
      const { view } = input;
      return tellDestination(
        input,
        { kind: 'returnInbound', type: 'return.expected', keyPrefix: 'return-inbound' },
        { label: view.label, lines: linesOf(view) },
      );
    },

    /** A withdrawn return: its destination stops expecting the RMA (keyed, so a retry tells it once). */
    async withdrawReturnInbound(input: ReturnReceiver): Promise<DeliveryOutcome> {
      return tellDestination(
        input,
        { kind: 'returnInboundWithdrawn', type: 'return.cancelled', keyPrefix: 'return-inbound-withdrawn' },
        { reason: input.view.cancellation?.reason },
      );
    },

    /**
     * RF-3: puts inspected resellable units back on the warehouse's stock, one ledger receipt per line keyed by the
     * return, so they are available to the next order at once and a retry adds nothing twice.
     */
    async restockReturn(input: {
      orderId: string;
      returnId: string;
      warehouseId: string;
      units: Array<{ lineId: string; sku: string; quantity: number }>;
    }): Promise<void> {
      for (const unit of input.units) {
        const id = `return:${input.orderId}:${input.returnId}:${unit.lineId}`;
        const outcome = await stores.ledger.adjust(unit.sku, input.warehouseId, id, 'receipt', unit.quantity, {
          orderId: input.orderId,
          actor: `return ${input.returnId}`,
          note: 'inspected resellable: back to stock',
        });
        if (outcome.status === 'refused')
          throw ApplicationFailure.nonRetryable(`restock of ${unit.sku} refused: ${outcome.reason}`, 'RESTOCK_REFUSED');
      }
    },

    /** RF-4: asks whoever holds the buyer's money (the marketplace, or the own site's payment provider) to refund, once per key. */
    async requestRefund(input: { refund: RefundRequest; key: string }): Promise<DeliveryOutcome> {
      const { refund, key } = input;
      const holder = partners.refunds(refund.channel);
      return deliver(
        { key, orderId: refund.orderId, partner: { kind: 'payment', id: refund.channel }, kind: 'refund' },
        holder && (() => holder.requestRefund(refund, key)),
      );
    },

    /** RF-4: where the refund stands at its holder; an unreachable holder is retried like any delivery. */
    async refundSettlement(input: { refund: RefundRequest; key: string }): Promise<RefundSettlement> {
      const holder = partners.refunds(input.refund.channel);
      if (!holder) return { state: 'failed', reason: `no refund path is configured for ${input.refund.channel}`, excerpt: '' };
      const answer = await holder.refundStatus(input.refund, input.key);
      if (answer.outcome === 'answered') return answer;
      if (answer.outcome === 'refused') return { state: 'failed', reason: answer.reason, excerpt: answer.excerpt };
      throw partnerRetry(`refund status of ${input.key}: ${answer.reason}`, answer.retryAfterMs);
    },

    /** RF-4: tells the sales channel the refund was paid, so the buyer's order there shows it. */
    async writeBackRefund(input: { refund: RefundRequest; reference?: string; key: string }): Promise<DeliveryOutcome> {
      const { refund, reference, key } = input;
      const channel = partners.channel(refund.channel);
      return deliver(
        { key, orderId: refund.orderId, partner: { kind: 'channel', id: refund.channel }, kind: 'refundWriteBack' },
        channel && (() => channel.writeBackRefund({ ...refund, ...(reference ? { reference } : {}) }, key)),
      );
    },

    /**
     * RF-3: tells the customer that inspection found units not resellable and operations will decide, by SMS to the
     * phone on the order (the channel's own messaging carries it where no phone is known).
     */
    async notifyCustomer(input: { view: ReturnView; phone?: string; text: string }): Promise<DeliveryOutcome> {
      const { view, phone, text } = input;
      const key = `return-notice:${view.orderId}:${view.returnId}:${view.status}`;
      const partner = { kind: 'notification' as const, id: `sms:buyer` };
      if (!phone || !sms)
        return { delivered: false, key, partner, reason: phone ? 'no SMS gateway is configured' : 'no phone on the order' };
      const notifier = sms.to(phone);
      const subject = `退货 ${view.rma}`;
      return deliver({ key, orderId: view.orderId, partner, kind: 'returnNotice' }, () => notifier.send({ subject, text }, key));
    },
  };
}
