/** The canonical order: every channel's payload is mapped to this shape (IN-2, IN-3). */
import { z } from 'zod';
import { instantSchema } from './primitives';
import { decimalMoneySchema, minorUnitsSchema } from './money';

/** Sales channels known to the hub; new channels are added here and in their adapter only. */
export const channelSchema = z.enum(['tmall', 'jd', 'pinduoduo', 'douyin', 'youzan', 'miniprogram', 'website', 'b2b']);
/** A sales channel id. */
export type Channel = z.infer<typeof channelSchema>;

/** A channel-side identifier: order ids, SKUs, brands. */
export const codeSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only');
/** A money amount inside the hub: integer minor units (fen) of the order's currency; channels send decimals, see `decimalMoneySchema`. */
export const moneySchema = minorUnitsSchema;

/** The order line's fields with money in the given form (minor units inside the hub, decimals on the wire). */
function orderLineWith<M extends z.ZodType<number, number>>(money: M) {
  return z.object({
    lineId: codeSchema,
    sku: codeSchema,
    category: z.string().trim().min(1).max(64),
    quantity: z.number().int().positive().max(10_000),
    unitPrice: money,
    listPrice: money.optional(),
  });
}

/** One order line: a SKU, its category, quantity and unit price; prices in minor units (fen). */
export const orderLineSchema = orderLineWith(moneySchema).describe('an order line; unitPrice and listPrice are minor units (fen)');
/** An order line as a channel sends it: prices are decimals (19.99), converted to minor units by parsing. */
export const orderLineWireSchema = orderLineWith(decimalMoneySchema);
/** An order line. */
export type OrderLine = z.infer<typeof orderLineSchema>;

/** A delivery address in mainland-China form; `region` is the routing region (e.g. east). */
export const addressSchema = z.object({
  name: z.string().trim().min(1).max(64),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 -]{6,20}$/, 'a phone number'),
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

/** The canonical order with money in the given form; one definition so the wire and internal shapes cannot drift apart. */
function canonicalOrderWith<M extends z.ZodType<number, number>>(money: M) {
  // Zero is zero in either form; the cast only tells TypeScript what the generic's output is.
  const zero = 0 as z.core.util.NoUndefined<z.output<M>>;
  return z
    .object({
      channel: channelSchema,
      channelOrderId: codeSchema,
      brand: codeSchema,
      buyer: z.object({ id: codeSchema, phone: addressSchema.shape.phone.optional() }),
      shippingAddress: addressSchema,
      lines: z.array(orderLineWith(money)).min(1).max(200),
      amounts: z.object({ goods: money, shipping: money.default(zero), discount: money.default(zero), paid: money }),
      currency: z
        .string()
        .regex(/^[A-Z]{3}$/, 'ISO 4217 code')
        .default('CNY'),
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
}

/**
 * The canonical order inside the hub (workflow, read model, API responses, what-if): every amount
 * (line unitPrice/listPrice, amounts goods/shipping/discount/paid) is integer minor units (fen).
 */
export const canonicalOrderSchema = canonicalOrderWith(moneySchema).describe(
  'the canonical order; every amount (unitPrice, listPrice, goods, shipping, discount, paid) is integer minor units of the currency (fen for CNY: 1999 = 19.99)',
);

/**
 * The canonical order as a channel adapter or storefront posts it (the wire form): amounts are decimals with at
 * most two places (19.99). Parsing validates and converts every amount to minor units once, giving a `CanonicalOrder`.
 */
export const canonicalOrderWireSchema = canonicalOrderWith(decimalMoneySchema).describe(
  'the canonical order as a channel posts it; amounts are decimals in the order currency with at most two places (19.99)',
);
/** A canonical order as a channel posts it, before parsing: decimal amounts, defaults not yet applied. */
export type CanonicalOrderWire = z.input<typeof canonicalOrderWireSchema>;

/** A validated canonical order. */
export type CanonicalOrder = z.infer<typeof canonicalOrderSchema>;

/** The order id pattern as it appears in URLs. */
export const orderIdSchema = z.string().regex(/^[a-z]+-[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'an order id such as tmall-123');
