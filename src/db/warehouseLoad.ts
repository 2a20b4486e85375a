/**
 * Owner of the warehouses' daily load (RT-4 daily capacity): one counter per warehouse and business day, read by
 * primary key, so routing's capacity check costs the same on the first order of the day and the fifty-thousandth.
 * A process reads a counter at most once per LOAD_FRESHNESS_MS and adds its own orders to what it read: routing
 * reads every warehouse's counter for every order, and the daily capacity is a soft limit.
 */
import { insertOnce, isDuplicateKey } from './connection';
import type { Models } from './models';

/** How long a process routes with a warehouse's count as it last read it: orders counted elsewhere show within this time. */
export const LOAD_FRESHNESS_MS = 1_000;

/** The counter id of a warehouse on a business day (`YYYY-MM-DD` in the network's time zone). */
const dayId = (warehouseId: string, day: string) => `${warehouseId}:${day}`;

/** Creates the owner over a database's models; `now` is the freshness clock. */
export function createWarehouseLoad(models: Models, now: () => number = Date.now) {
  const { WarehouseDay, WarehouseDayOrder } = models;
  /** Each warehouse's count as this process last read it (one day per warehouse), plus the orders it counted since. */
  const known = new Map<string, { day: string; orders: number; readAt: number }>();
  return {
    /**
     * Counts an order on a warehouse's day, once per order. The marker is inserted before the counter moves, so a
     * retry never counts twice; a crash in between undercounts by one, which a soft daily limit tolerates.
     */
    async countOrder(warehouseId: string, day: string, orderId: string): Promise<void> {
      if (!(await insertOnce(WarehouseDayOrder, { _id: `${dayId(warehouseId, day)}:${orderId}`, at: new Date() }))) return;
      const count = () => WarehouseDay.updateOne({ _id: dayId(warehouseId, day) }, { $inc: { orders: 1 } }, { upsert: true });
      // Two first orders of a day may both try to create its counter: the loser counts on the one the winner made
      // (failing here instead would leave the marker written and the order never counted).
      await count().catch((error: unknown) => (isDuplicateKey(error) ? count() : Promise.reject(error)));
      const mine = known.get(warehouseId);
      if (mine?.day === day) mine.orders += 1;
    },

    /** Orders each listed warehouse took on a business day: as read less than LOAD_FRESHNESS_MS ago, else read now. */
    async ordersOn(warehouseIds: string[], day: string): Promise<Record<string, number>> {
      const at = now();
      const stale = warehouseIds.filter((id) => {
        const entry = known.get(id);
        return entry?.day !== day || at - entry.readAt >= LOAD_FRESHNESS_MS;
      });
      const days = await Promise.all(stale.map((id) => WarehouseDay.findById(dayId(id, day), { orders: 1 }).lean()));
      stale.forEach((id, i) => known.set(id, { day, orders: days[i]?.orders ?? 0, readAt: at }));
      return Object.fromEntries(warehouseIds.map((id) => [id, known.get(id)!.orders]));
    },
  };
}

/** The warehouses' daily load of one database. */
export type WarehouseLoad = ReturnType<typeof createWarehouseLoad>;
