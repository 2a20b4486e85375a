/**
 * What every partner adapter promises: one call per delivery attempt, carrying the message's idempotency key, and an
 * answer the delivery activity turns into Temporal's retry or a person's attention. Adapters never throw for a
 * partner's answer; they throw only for a bug.
 */
import type { Address, Channel } from '../../domain/order';

/** What a partner answered to one attempt. `excerpt` is the start of its response body, for the deliveries log. */
export type PartnerAnswer =
  /** The partner acknowledged the message; `reference` is its id for it (fulfilment id, waybill number…). */
  | { outcome: 'delivered'; status: number; excerpt: string; reference?: string }
  /** Try again: 429, THROTTLED, 5xx, a timeout or a network error; `retryAfterMs` is what the partner asked to wait. */
  | { outcome: 'retry'; status?: number; excerpt: string; reason: string; retryAfterMs?: number }
  /** The partner refused for good ("order cancelled", "unknown order", bad credentials): a person must look. */
  | { outcome: 'refused'; status?: number; excerpt: string; reason: string };

/** One order line as a partner sees it. */
export interface PartnerLine {
  lineId: string;
  sku: string;
  quantity: number;
}

/** One parcel's tracking number written back to the sales channel (FS-2). */
export interface ShipmentWriteBack {
  orderId: string;
  channel: Channel;
  channelOrderId: string;
  shipmentId: string;
  carrier: string;
  trackingNumber: string;
  lines: PartnerLine[];
}

/**
 * A sales channel's adapter, chosen by the order's channel: parcels written back, and for marketplaces the refund
 * through the channel's after-sales API (the marketplace holds the buyer's money), then the refund told to the channel.
 */
export interface ChannelAdapter extends RefundAdapter {
  /**
   * How a retried write-back is kept from posting twice: the channel dedupes on our key, or the adapter looks up
   * the channel's fulfilments before it creates one (platforms without an idempotency key).
   */
  readonly dedupe: 'idempotency-key' | 'look-up-before-create';
  /** Writes one parcel back; `key` is the same on every retry of this parcel. */
  writeBackShipment(writeBack: ShipmentWriteBack, key: string): Promise<PartnerAnswer>;
  /** Tells the channel a refund was paid, so its order shows it; `key` is the same on every retry of this refund's write-back. */
  writeBackRefund(writeBack: RefundWriteBack, key: string): Promise<PartnerAnswer>;
}

/** A pick-list line with the warehouse zone it is picked from. */
export interface PickLine extends PartnerLine {
  zone?: string;
}

/** A pick list for one shipment (FS-1), lines sorted by zone, with the e-waybill the carrier issued for it. */
export interface PickList {
  orderId: string;
  shipmentId: string;
  warehouseId: string;
  lines: PickLine[];
  address: Address;
  waybill?: { carrier: string; trackingNumber: string };
}

/** A warehouse's WMS, reached at the endpoint its network settings name. */
export interface WmsAdapter {
  sendPickList(pickList: PickList, key: string): Promise<PartnerAnswer>;
  withdrawPickList(
    withdrawal: { orderId: string; shipmentId: string; warehouseId: string; reason: string },
    key: string,
  ): Promise<PartnerAnswer>;
  sendAddressChange(
    change: { orderId: string; shipmentId: string; warehouseId: string; address: Address },
    key: string,
  ): Promise<PartnerAnswer>;
}

/** An e-waybill request: the carrier issues the tracking number the warehouse prints on the parcel. */
export interface WaybillRequest {
  orderId: string;
  shipmentId: string;
  warehouseId: string;
  recipient: Address;
  lines: PartnerLine[];
}

/** A carrier integration. A delivered answer carries the tracking number as `reference`. */
export interface CarrierAdapter {
  requestWaybill(request: WaybillRequest, key: string): Promise<PartnerAnswer>;
}

/** A generic signed-webhook receiver (suppliers, payment providers, operations until their own adapters exist). */
export interface WebhookTarget {
  /** Posts one event; `key` becomes its `webhook-id`, on which the receiver dedupes. */
  post(type: string, data: Record<string, unknown>, key: string): Promise<PartnerAnswer>;
}

/** A refund of (part of) an order, keyed by its cause (a cancellation, a return, a price adjustment). Money in fen. */
export interface RefundRequest {
  orderId: string;
  channel: Channel;
  channelOrderId: string;
  /** The payment provider's id for the captured payment (Alipay: the out_trade_no it was paid under); default the channel order id. */
  paymentReference?: string;
  /** The marketplace's own id for the buyer's refund request (Douyin: the after-sale id), where refunds answer one. */
  channelRefundId?: string;
  /** Integer minor units (fen), as everywhere inside the hub. */
  amountMinor: number;
  reason: string;
  cause: string;
  /** The lines refunded; empty for an amount-only refund such as a price adjustment. */
  lines: PartnerLine[];
}

/** Where a requested refund stands at whoever holds the money. */
export interface RefundSettlement {
  /** settled: the money is back with the buyer; pending: accepted, not yet paid out; failed: it will not be paid. */
  state: 'settled' | 'pending' | 'failed';
  /** The holder's id for the refund (Alipay out_request_no, Shopify Refund gid, Douyin after-sale id). */
  reference?: string;
  /** Why a refund failed, in the holder's words. */
  reason?: string;
  status?: number;
  excerpt: string;
}

/** A settlement check's answer: the refund's standing, or a retry / refusal when the holder could not say. */
export type RefundStatusAnswer = ({ outcome: 'answered' } & RefundSettlement) | Extract<PartnerAnswer, { outcome: 'retry' | 'refused' }>;

/** A paid refund told to the sales channel; `reference` is the payer's id for it. */
export interface RefundWriteBack extends RefundRequest {
  reference?: string;
}

/** Whoever holds the buyer's money for a channel: the marketplace's after-sales API, or the own site's payment provider. */
export interface RefundAdapter {
  /** Asks for the refund once per key: a retry with the same key never pays twice. */
  requestRefund(refund: RefundRequest, key: string): Promise<PartnerAnswer>;
  /** Where the refund requested under `key` stands (RF-4 watches it until it settles). */
  refundStatus(refund: RefundRequest, key: string): Promise<RefundStatusAnswer>;
}
