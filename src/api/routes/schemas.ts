/** Response shapes shared by several endpoints (documented in OpenAPI). */
import { z } from 'zod';
import { canonicalOrderSchema } from '../../domain/order';
import { holdReasonSchema, orderStatusSchema } from '../../domain/status';

/** An order's state as its workflow reports it. */
export const orderViewSchema = z.looseObject({
  orderId: z.string(),
  workflowId: z.string(),
  status: orderStatusSchema,
  order: canonicalOrderSchema,
  holds: z.array(z.object({ reason: holdReasonSchema, ruleId: z.string(), detail: z.string() })),
  shipments: z.array(z.looseObject({ shipmentId: z.string(), kind: z.enum(['warehouse', 'supplier']), locationId: z.string(), lineIds: z.array(z.string()), step: z.string() })),
  reservations: z.array(z.looseObject({ key: z.string(), sku: z.string(), warehouseId: z.string(), quantity: z.number(), state: z.string() })),
  waiting: z.object({ for: z.string(), since: z.string(), who: z.string() }),
  version: z.number(),
});

/** One audit trail entry. */
export const auditEntrySchema = z.object({
  seq: z.number(),
  at: z.string(),
  actor: z.object({ kind: z.string(), id: z.string() }),
  action: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  detail: z.string().optional(),
});
