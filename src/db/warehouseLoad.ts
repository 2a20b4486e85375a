/**
 * Owner of the warehouses' daily load (RT-4 daily capacity): one counter per warehouse and business day, read by
 * primary key, so routing's capacity check costs the same on the first order of the day and the fifty-thousandth.
 */
import { insertOnce, isDuplicateKey } from './connection';
import type { Models } from './models';

/** The counter id of a warehouse on a business day (`YYYY-MM-DD` in the network's time zone). */
const dayId = (warehouseId: string, day: string) => `${warehouseId}:${day}`;

/** Creates the owner over a database's models. */
export function createWarehouseLoad(models: Models) {
  const { WarehouseDay, WarehouseDayOrder } = models;
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
    },

    /** Orders each listed warehouse took on a business day. */
    async ordersOn(warehouseIds: string[], day: string): Promise<Record<string, number>> {
      const days = await Promise.all(warehouseIds.map((id) => WarehouseDay.findById(dayId(id, day), { orders: 1 }).lean()));
      return Object.fromEntries(warehouseIds.map((id, i) => [id, days[i]?.orders ?? 0]));
    },
  };
}

/** The warehouses' daily load of one database. */
export type WarehouseLoad = ReturnType<typeof createWarehouseLoad>;
