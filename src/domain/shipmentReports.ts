/** Shipment progress reports from warehouses, suppliers and carriers: the one message the workflow validates on every order. */
import { z } from 'zod';
import { actorSchema, instantSchema, reportIdSchema } from './primitives';

/** Progress steps a warehouse or supplier reports for one shipment, then the carrier's delivery. */
export const shipmentStepSchema = z.enum(['accepted', 'picking', 'progress', 'packed', 'shipped', 'delivered']);
/** A shipment progress step. */
export type ShipmentStep = z.infer<typeof shipmentStepSchema>;

/** A shipment's id within its order. */
export const shipmentIdSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits and _ . - only');

const shippedNeedsTracking = {
  check: (p: { step: ShipmentStep; trackingNumber?: string; carrier?: string }) =>
    p.step !== 'shipped' || Boolean(p.trackingNumber && p.carrier),
  params: { message: 'trackingNumber and carrier are required when step is shipped', path: ['trackingNumber'] },
};
const shipmentReportFields = z.object({
  step: shipmentStepSchema,
  at: instantSchema,
  trackingNumber: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]{6,40}$/, 'a tracking number')
    .optional(),
  carrier: z.string().trim().min(1).max(32).optional(),
  note: z.string().trim().max(500).optional(),
});

/** A progress report as a warehouse, supplier or carrier sends it for a shipment named in the URL. */
export const shipmentReportSchema = shipmentReportFields.refine(shippedNeedsTracking.check, shippedNeedsTracking.params);

/** One progress report for a shipment, as the workflow receives it. */
export const shipmentProgressSchema = shipmentReportFields
  // The authenticated caller; absent only in reports recorded before callers were named.
  .extend({ shipmentId: shipmentIdSchema, reporter: actorSchema.optional(), reportId: reportIdSchema.optional() })
  .refine(shippedNeedsTracking.check, shippedNeedsTracking.params);
/** A shipment progress report. */
export type ShipmentProgress = z.infer<typeof shipmentProgressSchema>;
