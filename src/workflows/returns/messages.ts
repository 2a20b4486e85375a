/** The return workflow's messages, defined once for the workflow, the order workflow and the API. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { InspectionDecision, InspectionReport, ReturnStatus, ReturnView } from '../../domain/returns';

/** The receiving warehouse (or supplier) scanned the returned parcel in (RF-3 starts here). */
export const receiveReturn = defineUpdate<ReturnView, [ReturnReceipt]>('receiveReturn');
/** A returned parcel's receipt scan. */
export interface ReturnReceipt {
  at: string;
  /** Who scanned it: the destination's own key, or operations. */
  by: { kind: 'warehouse' | 'supplier' | 'operations'; id: string };
  trackingNumber?: string;
}

/** The receiving warehouse reports its inspection, per line (RF-3). */
export const inspectReturn = defineUpdate<ReturnView, [InspectionReport & { by: { kind: string; id: string } }]>('inspectReturn');

/** Operations decide what units inspection found not resellable are refunded (a partial refund, or none: sent back). */
export const decideReturn = defineUpdate<ReturnView, [InspectionDecision]>('decideReturn');

/** The buyer (through the channel) or operations withdraw a return before its parcel arrives; its units may be asked for again. */
export const cancelReturn = defineUpdate<ReturnView, [ReturnCancellation]>('cancelReturn');
/** Who withdrew a return, when and why. */
export interface ReturnCancellation {
  by: string;
  at: string;
  reason: string;
}

/** The order shipped the replacement of an exchange (a new shipment through routing and fulfilment). */
export const replacementShipped = defineSignal<[{ shipmentId: string; carrier: string; trackingNumber: string }]>('replacementShipped');

/** The return's full state. */
export const getReturn = defineQuery<ReturnView>('getReturn');

/** What the order hears from one of its returns: where it stands, and what was refunded or must be replaced. */
export interface ReturnProgress {
  returnId: string;
  status: ReturnStatus;
  note: string;
  refundedMinor?: number;
  /** An exchange: the lines the order must ship again. */
  replace?: Array<{ lineId: string; quantity: number }>;
}
/** A return tells its order how it stands (the order stays open while a return is in flight). */
export const returnProgressed = defineSignal<[ReturnProgress]>('returnProgressed');
