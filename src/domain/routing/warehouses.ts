/** The warehouse network routing chooses from: warehouses, the region priority matrix, stock (RT-1, RT-4). */
import { z } from 'zod';
import { regionSchema, type Region } from './regions';
import { warehouseIdSchema } from './rules';

const days = z.number().int().min(0).max(60);

/** A warehouse; `temporary` ones are overflow capacity used only when regular ones cannot ship (RT-4). */
export const warehouseSchema = z.strictObject({
  id: warehouseIdSchema,
  name: z.string().trim().min(1).max(64),
  /** Regions served; matters for temporary warehouses outside the matrix (empty = every region). */
  regions: z.array(regionSchema).default([]),
  kind: z.enum(['regular', 'temporary']).default('regular'),
  enabled: z.boolean().default(true),
  /** Dispatch paused, e.g. by escalation ES-3; kept apart from `enabled` so resuming restores the plan. */
  paused: z.boolean().default(false),
  /** Orders (shipments) the warehouse can take per day. */
  dailyCapacity: z.number().int().nonnegative(),
  /** Promised delivery days to each region; regions not listed get `defaultDeliveryDays`. */
  deliveryDays: z.partialRecord(regionSchema, days).default({}),
  defaultDeliveryDays: days,
  /** The warehouse's WMS: where pick lists, withdrawals and address changes are delivered (FS-1). */
  wms: z.strictObject({ url: z.url() }).optional(),
  /** The warehouse (or line) lead escalations reach as `@location` by SMS or e-mail (ES-2, ES-5). */
  lead: z
    .strictObject({
      name: z.string().trim().min(1).max(64),
      phone: z
        .string()
        .trim()
        .regex(/^\+?[0-9 -]{6,20}$/)
        .optional(),
      email: z.email().optional(),
    })
    .optional(),
  /** The carrier code e-waybills are requested from (a carrier named in the partner configuration). */
  carrier: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,32}$/)
    .optional(),
  /** Pick zones in walking order, each holding the SKUs that start with one of its prefixes: pick lists follow this order. */
  pickZones: z
    .array(z.strictObject({ zone: z.string().trim().min(1).max(16), skuPrefixes: z.array(z.string().trim().min(1).max(64)).max(200) }))
    .max(100)
    .default([]),
});
/** A validated warehouse. */
export type Warehouse = z.infer<typeof warehouseSchema>;
/** A warehouse as configured, before defaults. */
export type WarehouseInput = z.input<typeof warehouseSchema>;

/**
 * Region priority matrix: the regular warehouses to try for each region, best first. `fallback` is the row
 * for regions without one and for provinces the region table does not know. Temporary warehouses need no row.
 */
export const regionPrioritySchema = z.strictObject({
  byRegion: z.partialRecord(regionSchema, z.array(warehouseIdSchema).max(50)),
  fallback: z.array(warehouseIdSchema).max(50).default([]),
});
/** A validated region priority matrix. */
export type RegionPriority = z.infer<typeof regionPrioritySchema>;

/**
 * Stock of one SKU in one warehouse at routing time. `safetyThreshold` is in units, already computed by the
 * inventory side from its configured share (INV-4, e.g. 15% of the reference quantity), so routing needs no
 * reference quantity and the decision can show the exact number it compared with.
 */
export const stockLevelSchema = z.strictObject({
  sku: z.string().trim().min(1).max(64),
  warehouseId: warehouseIdSchema,
  onHand: z.number().int().nonnegative(),
  reserved: z.number().int().nonnegative(),
  safetyThreshold: z.number().nonnegative(),
});
/** Stock of one SKU in one warehouse. */
export type StockLevel = z.infer<typeof stockLevelSchema>;

/** Promised delivery days from a warehouse to a region (the default when the region is unknown or unlisted). */
export function deliveryDaysFor(warehouse: Warehouse, region: Region | undefined): number {
  return (region && warehouse.deliveryDays[region]) ?? warehouse.defaultDeliveryDays;
}

/** True when a temporary warehouse may ship to this region without being named in the matrix. */
export function servesRegion(warehouse: Warehouse, region: Region | undefined): boolean {
  return warehouse.regions.length === 0 || (region !== undefined && warehouse.regions.includes(region));
}

/** Stock levels indexed by warehouse and SKU, built once per decision so each lookup is O(1) (LD-2). */
export class StockIndex {
  private readonly levels = new Map<string, StockLevel>();

  constructor(levels: readonly StockLevel[]) {
    for (const level of levels) this.levels.set(StockIndex.key(level.warehouseId, level.sku), level);
  }

  private static key(warehouseId: string, sku: string): string {
    return `${warehouseId}\u0000${sku}`;
  }

  /** The stock level, or an empty one when the warehouse does not carry the SKU. */
  get(warehouseId: string, sku: string): StockLevel {
    return this.levels.get(StockIndex.key(warehouseId, sku)) ?? { sku, warehouseId, onHand: 0, reserved: 0, safetyThreshold: 0 };
  }
}

/** The warehouse network routing chooses from (RT-1, RT-4): warehouses, the region matrix, supplier lead times. */
export const networkSchema = z.object({
  warehouses: z.array(warehouseSchema).max(500),
  regionPriority: regionPrioritySchema,
  supplierDeliveryDays: z.record(z.string(), z.number().int().min(0).max(60)).default({}),
  /** Offset of the business day, for daily capacity (IN-3: the business runs on UTC+8). */
  timeZone: z
    .string()
    .regex(/^[+-]\d{2}:\d{2}$/, 'an offset such as +08:00')
    .default('+08:00'),
});
/** A validated warehouse network. */
export type Network = z.infer<typeof networkSchema>;

/** A warehouse that a network change took out of service, and why (RT-4). */
export interface StoppedWarehouse {
  warehouseId: string;
  reason: string;
}

/** Warehouses that served orders before a network change and no longer do: disabled or paused in `version`. */
export function stoppedWarehouses(previous: Network, next: Network, version: number): StoppedWarehouse[] {
  const wasServing = new Set(previous.warehouses.filter((w) => w.enabled && !w.paused).map((w) => w.id));
  return next.warehouses
    .filter((w) => wasServing.has(w.id) && (!w.enabled || w.paused))
    .map((w) => ({ warehouseId: w.id, reason: `warehouse ${w.id} ${w.enabled ? 'paused' : 'disabled'} in network v${version}` }));
}
