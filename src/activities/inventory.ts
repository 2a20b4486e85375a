/** Inventory activities: reserve, release and commit order lines against the stock ledger. */
import { ApplicationFailure } from '@temporalio/activity';
import type { ReservationState } from '../domain/orderView';
import { businessDayOf } from '../domain/routing/businessDay';
import type { StockAvailability } from '../db/stockLedger';
import type { ActivityDeps } from './deps';
import { raiseAlert } from './notification';

/** A line that could not be reserved. */
export interface Shortage {
  lineId: string;
  sku: string;
  warehouseId: string;
  requested: number;
  available: number;
}

type Allocation = Pick<ReservationState, 'key' | 'lineId' | 'sku' | 'warehouseId' | 'quantity'>;

/** Builds the inventory activities. */
export function createInventoryActivities(deps: ActivityDeps) {
  const { ledger } = deps.stores;
  /** INV-4: the reservation that takes available stock under the safety threshold alerts operations, once. */
  const alertIfBelowSafety = async (sku: string, warehouseId: string, orderId: string, before: number, after: StockAvailability) => {
    const { safetyThreshold } = after;
    if (safetyThreshold <= 0 || after.available >= safetyThreshold || before < safetyThreshold) return;
    await raiseAlert({
      key: `ops:safety:${sku}@${warehouseId}:${after.seq}`,
      kind: 'stockBelowSafety',
      orderId,
      summary: `${sku} in ${warehouseId} is under its safety stock: ${after.available} available, threshold ${safetyThreshold}`,
      detail: { sku, warehouseId, available: after.available, safetyThreshold },
    });
  };
  return {
    /** Pre-locks every allocation (INV-1), all or nothing: on a shortage what this call reserved is released. */
    async reserveStock(input: {
      orderId: string;
      allocations: Allocation[];
    }): Promise<{ ok: true } | { ok: false; shortages: Shortage[] }> {
      const done: Allocation[] = [];
      for (const allocation of input.allocations) {
        const outcome = await ledger.reserve(allocation.sku, allocation.warehouseId, allocation.key, allocation.quantity, {
          orderId: input.orderId,
          actor: 'order-workflow',
        });
        if (outcome.status !== 'refused') {
          done.push(allocation);
          if (outcome.status === 'applied')
            await alertIfBelowSafety(
              allocation.sku,
              allocation.warehouseId,
              input.orderId,
              outcome.balance.available + allocation.quantity,
              outcome.balance,
            );
          continue;
        }
        // The refused key is released too (a tombstone): a late duplicate of this attempt can then never take it.
        for (const reserved of [...done, allocation])
          await ledger.release(reserved.sku, reserved.warehouseId, reserved.key, {
            orderId: input.orderId,
            note: 'all-or-nothing reservation undone',
          });
        const { sku, warehouseId, quantity, lineId } = allocation;
        return {
          ok: false,
          shortages: [{ lineId, sku, warehouseId, requested: quantity, available: Math.max(0, outcome.balance.available) }],
        };
      }
      // The order counts once on each warehouse's business day (RT-4 daily capacity).
      const day = businessDayOf(new Date(), (await deps.stores.network.latest()).body.timeZone);
      for (const warehouseId of new Set(input.allocations.map((a) => a.warehouseId))) {
        await deps.stores.warehouseLoad.countOrder(warehouseId, day, input.orderId);
      }
      return { ok: true };
    },

    /** Releases reservations (cancel, payment timeout, move); unknown or settled keys are skipped. */
    async releaseReservations(input: { orderId: string; keys: string[]; reason: string }): Promise<void> {
      for (const held of await ledger.reservationsOf(input.orderId, input.keys)) {
        await ledger.release(held.sku, held.warehouseId, held.key, { orderId: input.orderId, note: input.reason }, held.known);
      }
    },

    /** Commits reservations when their parcel ships: the units leave on-hand stock (INV-3). */
    async commitReservations(input: { orderId: string; keys: string[] }): Promise<void> {
      const held = await ledger.reservationsOf(input.orderId, input.keys);
      if (held.length !== input.keys.length) {
        throw ApplicationFailure.create({
          type: 'UNKNOWN_RESERVATION',
          message: `reservations not found: ${input.keys.filter((k) => !held.some((h) => h.key === k)).join(', ')}`,
          nonRetryable: true,
        });
      }
      for (const reservation of held) {
        const outcome = await ledger.commit(
          reservation.sku,
          reservation.warehouseId,
          reservation.key,
          { orderId: input.orderId, note: 'shipped' },
          reservation.known,
        );
        if (outcome.status === 'refused') {
          throw ApplicationFailure.create({
            type: outcome.reason,
            message: `cannot commit ${reservation.key}: ${outcome.reason}`,
            nonRetryable: true,
          });
        }
      }
    },
  };
}
