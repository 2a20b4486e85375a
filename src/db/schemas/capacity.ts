/** Orders each warehouse took per business day (RT-4 daily capacity). Owned by ../warehouseLoad.ts. */
import { Schema } from 'mongoose';

/** One warehouse on one business day: how many orders it took; `_id` is `{warehouseId}:{day}`. Bounded by the network. */
export const warehouseDaySchema = new Schema(
  {
    _id: { type: String, required: true },
    orders: { type: Number, required: true, default: 0 },
  },
  { versionKey: false, collection: 'warehouse_days' },
);

/** An order counted once on a warehouse's day; `_id` is `{warehouseId}:{day}:{orderId}`, so a retry counts nothing twice. */
export const warehouseDayOrderSchema = new Schema(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'warehouse_day_orders' },
);
