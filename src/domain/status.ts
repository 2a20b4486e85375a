/** Order lifecycle statuses and hold reasons: named data, not booleans (Shopify-style holds). */
import { z } from 'zod';

/** Where an order is in its lifecycle. */
export const orderStatusSchema = z.enum([
  'AWAITING_PAYMENT',
  'PAID',
  'ON_HOLD',
  'RESERVED',
  'FULFILLING',
  'SHIPPED',
  'DELIVERED',
  'COMPLETED',
  'CANCELLED',
]);
/** An order lifecycle status. */
export type OrderStatus = z.infer<typeof orderStatusSchema>;

/** Why an order waits for a person before it may reserve stock or ship. */
export const holdReasonSchema = z.enum([
  'HIGH_VALUE_FIRST_ORDER',
  'ABNORMAL_AMOUNT',
  'VAGUE_ADDRESS',
  'BUYER_ORDER_BURST',
  'PRICE_BELOW_GUARD',
  'OUT_OF_STOCK',
  'NO_ROUTE',
  'PAYMENT_AMOUNT_MISMATCH',
  'SUPPLIER_REJECTED',
]);
/** A named hold reason. */
export type HoldReason = z.infer<typeof holdReasonSchema>;
