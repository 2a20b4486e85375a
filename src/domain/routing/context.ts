/** Everything `routeOrder` needs besides the order, loaded once by the calling activity (LD-2). */
import { z } from 'zod';
import { instantSchema } from '../primitives';
import { routingRuleSetSchema, supplierIdSchema, warehouseIdSchema } from './rules';
import { regionPrioritySchema, stockLevelSchema, warehouseSchema } from './warehouses';

/** Fulfilment priority of an order no rule gives one. */
export const DEFAULT_PRIORITY = 100;

/** The routing inputs; plain JSON, so the activity can record exactly what a decision saw (RT-6). */
export const routingContextSchema = z.strictObject({
  ruleSet: routingRuleSetSchema,
  warehouses: z
    .array(warehouseSchema)
    .max(500)
    .superRefine((warehouses, ctx) => {
      const seen = new Set<string>();
      warehouses.forEach((warehouse, index) => {
        if (seen.has(warehouse.id))
          ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate warehouse id ${warehouse.id}` });
        seen.add(warehouse.id);
      });
    }),
  regionPriority: regionPrioritySchema,
  /** Stock per (SKU, warehouse) for the order's SKUs; a missing entry means none on hand. */
  stock: z.array(stockLevelSchema),
  /** Shipments already assigned today per warehouse, compared with `dailyCapacity` (RT-4). */
  capacityUsedToday: z.record(warehouseIdSchema, z.number().int().nonnegative()).default({}),
  /** Promised delivery days per drop-ship supplier; unknown suppliers promise nothing (null). */
  supplierDeliveryDays: z.record(supplierIdSchema, z.number().int().min(0).max(60)).default({}),
  /** Fulfilment priority when no rule sets one; lower is handled sooner, like rule priority. */
  defaultPriority: z.number().int().min(0).max(1000).default(DEFAULT_PRIORITY),
  /** The decision time, passed in so routing stays deterministic. */
  now: instantSchema,
  /** When the order is due (e.g. a B2B delivery date); wins over a `due:<instant>` order tag. */
  dueAt: instantSchema.optional(),
  /** Suppliers that rejected the lines being routed (DS-2): their rule assignments are skipped. */
  excludedSuppliers: z.array(supplierIdSchema).max(50).default([]),
});
/** Validated routing inputs. */
export type RoutingContext = z.infer<typeof routingContextSchema>;
/** Routing inputs as the caller writes them, before defaults. */
export type RoutingContextInput = z.input<typeof routingContextSchema>;
