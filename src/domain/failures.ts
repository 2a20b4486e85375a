/** Every way an order or one of its returns refuses a message: one table that the workflows throw and the API maps to a status. */

/** What kind of refusal a failure is; the API turns each kind into one HTTP status. */
export type FailureKind = 'invalid' | 'notFound' | 'conflict' | 'unprocessable';

/** Failure codes of the order workflow's messages, with their kind. */
export const orderFailures = {
  /** A message does not match its schema. */
  VALIDATION: 'invalid',
  /** Only a payment notice has arrived; the order itself has not. */
  ORDER_NOT_RECEIVED: 'notFound',
  /** No such shipment on this order, or not one the caller may report for. */
  UNKNOWN_SHIPMENT: 'notFound',
  /** A decision on a delivery that is not waiting for one (never refused, or already decided). */
  UNKNOWN_DELIVERY: 'notFound',
  /** An answer to an escalation the order does not have. */
  UNKNOWN_ESCALATION: 'notFound',
  /** A return the order does not have, or that belongs to another warehouse or supplier (404, so ids do not leak). */
  UNKNOWN_RETURN: 'notFound',
  /** An answer to an escalation already resolved. */
  ALREADY_RESOLVED: 'conflict',
  /** A return names lines the order does not have. */
  UNKNOWN_LINE: 'unprocessable',
  /** The new address lies outside every enabled warehouse's area (FS-4). */
  UNDELIVERABLE_ADDRESS: 'unprocessable',
  /** An address change before payment. */
  NOT_PAID: 'conflict',
  /** A review of an order that is not held. */
  NOT_ON_HOLD: 'conflict',
  /** A cancellation or address change after a parcel left. */
  ALREADY_SHIPPED: 'conflict',
  /** Any change to a cancelled or completed order. */
  ALREADY_CLOSED: 'conflict',
  /** A shipment step that goes backwards or skips dispatch. */
  INVALID_TRANSITION: 'conflict',
  /** A report for a shipment that a re-route is moving elsewhere right now. */
  SHIPMENT_MOVING: 'conflict',
  /** A return outside the return window. */
  RETURN_WINDOW_CLOSED: 'conflict',
  /** The same return twice. */
  DUPLICATE_RETURN: 'conflict',
  /** A return of a line whose parcel has not been delivered yet (RF-1): the window opens at delivery. */
  NOT_DELIVERED: 'conflict',
  /** A return of an item the brand's return policy excludes, by SKU prefix or category (RF-1). */
  NOT_RETURNABLE: 'unprocessable',
  /** More units returned than were shipped, less those already returned (RF-1). */
  RETURN_QUANTITY_EXCEEDED: 'unprocessable',
  /** An exchange asked of a brand that only refunds. */
  EXCHANGE_NOT_ALLOWED: 'unprocessable',
  /** A return withdrawn after its parcel arrived: inspection decides what happens to it now. */
  RETURN_ALREADY_RECEIVED: 'conflict',
  /** An inspection report whose lines and units do not match what the return brought back (RF-3). */
  INSPECTION_MISMATCH: 'unprocessable',
} as const satisfies Record<string, FailureKind>;

/** A failure code of the order workflow. */
export type OrderFailureCode = keyof typeof orderFailures;

/** True when a string is one of the order workflow's failure codes. */
export function isOrderFailureCode(code: string): code is OrderFailureCode {
  return Object.hasOwn(orderFailures, code);
}
