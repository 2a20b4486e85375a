/** The canonical order: every channel's payload is mapped to this shape (IN-2, IN-3). */
import { z } from 'zod';

/** Sales channels known to the hub; new channels are added here and in their adapter only. */
export const channelSchema = z.enum(['tmall', 'jd', 'pinduoduo', 'douyin', 'youzan', 'miniprogram', 'website', 'b2b']);
/** A sales channel id. */
export type Channel = z.infer<typeof channelSchema>;

/** A channel-side identifier: order ids, SKUs, brands. */
export const codeSchema = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only');
/** A money amount in the order's currency, at most two decimals. */
export const moneySchema = z.number().nonnegative().max(100_000_000).refine((n) => Math.round(n * 100) === n * 100, 'at most two decimals');
/** An instant with an explicit offset (IN-3): "2026-02-03T12:00:00+08:00" or "...Z". */
export const instantSchema = z.iso.datetime({ offset: true });

/** One order line: a SKU, its category, quantity and unit price. */
export const orderLineSchema = z.object({
  lineId: codeSchema,
  sku: codeSchema,
  category: z.string().trim().min(1).max(64),
  quantity: z.number().int().positive().max(10_000),
  unitPrice: moneySchema,
  listPrice: moneySchema.optional(),
});
/** An order line. */
export type OrderLine = z.infer<typeof orderLineSchema>;

/** A delivery address in mainland-China form; `region` is the routing region (e.g. east). */
export const addressSchema = z.object({
  name: z.string().trim().min(1).max(64),
  phone: z.string().trim().regex(/^\+?[0-9 -]{6,20}$/, 'a phone number'),
  province: z.string().trim().min(1).max(32),
  city: z.string().trim().min(1).max(32),
  district: z.string().trim().max(32).optional(),
  line1: z.string().trim().min(1).max(200),
  postalCode: z.string().trim().max(12).optional(),
});
/** A delivery address. */
export type Address = z.infer<typeof addressSchema>;

/** Payment states a channel reports. */
export const paymentStatusSchema = z.enum(['unpaid', 'paid', 'refunded']);
/** A channel-reported payment state. */
export type PaymentStatus = z.infer<typeof paymentStatusSchema>;

/** The canonical order as posted by a channel adapter or storefront. */
export const canonicalOrderSchema = z
  .object({
    channel: channelSchema,
    channelOrderId: codeSchema,
    brand: codeSchema,
    buyer: z.object({ id: codeSchema, phone: addressSchema.shape.phone.optional() }),
    shippingAddress: addressSchema,
    lines: z.array(orderLineSchema).min(1).max(200),
    amounts: z.object({ goods: moneySchema, shipping: moneySchema.default(0), discount: moneySchema.default(0), paid: moneySchema }),
    currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code').default('CNY'),
    paymentStatus: paymentStatusSchema,
    tags: z.array(z.string().trim().min(1).max(32)).max(20).default([]),
    createdAt: instantSchema,
    paidAt: instantSchema.optional(),
  })
  .superRefine((order, ctx) => {
    const lineIds = new Set<string>();
    order.lines.forEach((line, index) => {
      if (lineIds.has(line.lineId)) ctx.addIssue({ code: 'custom', path: ['lines', index, 'lineId'], message: 'duplicate lineId' });
      lineIds.add(line.lineId);
    });
    if (order.paymentStatus === 'paid' && !order.paidAt) {
      ctx.addIssue({ code: 'custom', path: ['paidAt'], message: 'required when paymentStatus is paid' });
    }
  });
/** A validated canonical order. */
export type CanonicalOrder = z.infer<typeof canonicalOrderSchema>;

/** The hub's order id: channel and channel order id, unique across channels. */
export function orderIdOf(channel: Channel, channelOrderId: string): string {
  return `${channel}-${channelOrderId}`;
}

/** The one workflow id of an order (`Order:{orderId}`). */
export function orderWorkflowId(orderId: string): string {
  return `Order:${orderId}`;
}

/** The workflow id of one warehouse outage, so a repeated save of the same network version starts it once. */
export function warehouseOutageWorkflowId(warehouseId: string, networkVersion: number): string {
  return `WarehouseOutage:${warehouseId}:v${networkVersion}`;
}

/** The order id pattern as it appears in URLs. */
export const orderIdSchema = z.string().regex(/^[a-z]+-[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'an order id such as tmall-123');
