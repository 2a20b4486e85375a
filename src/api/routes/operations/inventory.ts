/** Operations: stock availability (INV-5), receipts and count adjustments, safety thresholds (INV-4) and the ledger audit. */
import { z } from 'zod';
import type { StockBalance } from '../../../db/stockLedger';
import type { Stores } from '../../../db/stores';
import { codeSchema } from '../../../domain/order';
import { warehouseIdSchema } from '../../../domain/routing/rules';
import { HttpError } from '../../errors';
import type { Api } from '../../route';

const skuParams = z.object({ sku: codeSchema });
const stockParams = z.object({ sku: codeSchema, warehouseId: warehouseIdSchema });
const operationId = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, '1-128 letters, digits, _ . : -');

const availabilitySchema = z.object({
  warehouseId: z.string(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int(),
  safetyThreshold: z.number(),
  belowSafety: z.boolean().describe('available is under the safety threshold: routing no longer prefers this warehouse (INV-4)'),
});
const balanceSchema = z.object({ onHand: z.number().int(), reserved: z.number().int(), available: z.number().int() });
const changeAnswer = z.object({
  sku: z.string(),
  warehouseId: z.string(),
  alreadyApplied: z.boolean().describe('true when this id was applied before; nothing changed this time'),
  balance: balanceSchema,
});
const ledgerEntrySchema = z.object({
  warehouseId: z.string(),
  seq: z.number().int(),
  kind: z.enum(['receipt', 'adjust', 'reserve', 'release', 'commit']),
  quantity: z.number().int(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int(),
  opKey: z.string(),
  orderId: z.string().optional(),
  actor: z.string().optional(),
  note: z.string().optional(),
  at: z.string(),
});

/** A receipt or adjustment as the ledger applies it. */
interface StockChange {
  kind: 'receipt' | 'adjust';
  id: string;
  sku: string;
  warehouseId: string;
  delta: number;
  actor: string;
  note?: string;
}

const balanceOf = ({ onHand, reserved, available }: StockBalance) => ({ onHand, reserved, available });

/** Declares the inventory endpoints. */
export function inventoryRoutes(api: Api, stores: Stores): void {
  const requireWarehouse = async (warehouseId: string): Promise<void> => {
    const network = (await stores.network.latest()).body;
    if (!network.warehouses.some((w) => w.id === warehouseId))
      throw new HttpError(404, 'UNKNOWN_WAREHOUSE', `warehouse ${warehouseId} is not in the network`);
  };

  /** Applies a receipt or adjustment once per id; a repeat answers 200 and changes nothing. */
  const applyChange = async (change: StockChange) => {
    await requireWarehouse(change.warehouseId);
    const { kind, id, sku, warehouseId, delta } = change;
    const outcome = await stores.ledger.adjust(sku, warehouseId, id, kind, delta, { actor: change.actor, note: change.note });
    if (outcome.status === 'refused') {
      throw new HttpError(
        409,
        outcome.reason,
        `${sku}@${warehouseId} has ${outcome.balance.onHand} on hand; a change of ${delta} would take it below zero`,
      );
    }
    if (outcome.status === 'already-applied') {
      // The same id for a different change is a client bug, not a repeat.
      const first = await stores.ledger.appliedAdjustment(kind, id);
      if (first && (first.sku !== sku || first.warehouseId !== warehouseId || first.quantity !== delta)) {
        throw new HttpError(409, 'ID_REUSED', `${id} was already applied as ${first.quantity} of ${first.sku}@${first.warehouseId}`);
      }
    }
    const alreadyApplied = outcome.status === 'already-applied';
    return { status: alreadyApplied ? 200 : 201, body: { sku, warehouseId, alreadyApplied, balance: balanceOf(outcome.balance) } };
  };

  api.endpoint(
    {
      method: 'get',
      path: '/v1/inventory/{sku}',
      tag: 'inventory',
      access: ['operations'],
      summary: 'Availability of a SKU in every warehouse of the network, read from the ledger at this instant (INV-5).',
      params: skuParams,
      responses: {
        200: {
          description: 'availability per warehouse',
          schema: z.object({ sku: z.string(), at: z.string(), warehouses: z.array(availabilitySchema) }),
        },
      },
    },
    async ({ params }) => {
      const network = (await stores.network.latest()).body;
      const levels = await stores.ledger.availability(
        [params.sku],
        network.warehouses.map((w) => w.id),
      );
      const warehouses = levels.map((level) => ({
        warehouseId: level.warehouseId,
        ...balanceOf(level),
        safetyThreshold: level.safetyThreshold,
        belowSafety: level.available < level.safetyThreshold,
      }));
      return { status: 200, body: { sku: params.sku, at: new Date().toISOString(), warehouses } };
    },
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/inventory/receipts',
      tag: 'inventory',
      access: ['operations'],
      summary: 'Book received units into a warehouse; a repeated receiptId is answered 200 with alreadyApplied and not booked twice.',
      body: z.object({
        receiptId: operationId,
        sku: codeSchema,
        warehouseId: warehouseIdSchema,
        quantity: z.number().int().positive().max(1_000_000),
        note: z.string().trim().min(1).max(500).optional(),
      }),
      responses: {
        201: { description: 'booked', schema: changeAnswer },
        200: { description: 'booked before; unchanged', schema: changeAnswer },
      },
    },
    async ({ body, caller }) =>
      applyChange({
        kind: 'receipt',
        id: body.receiptId,
        sku: body.sku,
        warehouseId: body.warehouseId,
        delta: body.quantity,
        actor: caller!.id,
        note: body.note,
      }),
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/inventory/adjustments',
      tag: 'inventory',
      access: ['operations'],
      summary: 'Correct a count by a signed delta; refused with 409 NEGATIVE_STOCK when on-hand stock would go below zero.',
      body: z.object({
        adjustmentId: operationId,
        sku: codeSchema,
        warehouseId: warehouseIdSchema,
        delta: z
          .number()
          .int()
          .min(-1_000_000)
          .max(1_000_000)
          .refine((n) => n !== 0, 'must not be 0'),
        reason: z.string().trim().min(1).max(500),
      }),
      responses: {
        201: { description: 'applied', schema: changeAnswer },
        200: { description: 'applied before; unchanged', schema: changeAnswer },
      },
    },
    async ({ body, caller }) =>
      applyChange({
        kind: 'adjust',
        id: body.adjustmentId,
        sku: body.sku,
        warehouseId: body.warehouseId,
        delta: body.delta,
        actor: caller!.id,
        note: body.reason,
      }),
  );

  api.endpoint(
    {
      method: 'put',
      path: '/v1/inventory/{sku}/warehouses/{warehouseId}/safety-threshold',
      tag: 'inventory',
      access: ['operations'],
      summary: 'Set the safety threshold of a SKU in a warehouse, in units; below it routing stops preferring the warehouse (INV-4, RT-1).',
      params: stockParams,
      body: z.object({ units: z.number().int().nonnegative().max(1_000_000) }),
      responses: {
        200: {
          description: 'the threshold in force',
          schema: z.object({ sku: z.string(), warehouseId: z.string(), safetyThreshold: z.number() }),
        },
      },
    },
    async ({ params, body }) => {
      await requireWarehouse(params.warehouseId);
      const { sku, warehouseId } = params;
      await stores.ledger.setSafetyThreshold(sku, warehouseId, body.units);
      return { status: 200, body: { sku, warehouseId, safetyThreshold: body.units } };
    },
  );

  api.endpoint(
    {
      method: 'get',
      path: '/v1/inventory/{sku}/ledger',
      tag: 'inventory',
      access: ['operations'],
      summary: 'Ledger entries of a SKU, newest first: who changed stock, when, by how much and why (OP-2).',
      params: skuParams,
      query: z.strictObject({ warehouseId: warehouseIdSchema.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      responses: {
        200: { description: 'entries, newest first', schema: z.object({ sku: z.string(), entries: z.array(ledgerEntrySchema) }) },
      },
    },
    async ({ params, query }) => ({
      status: 200,
      body: { sku: params.sku, entries: await stores.ledger.entries(params.sku, { warehouseId: query.warehouseId, limit: query.limit }) },
    }),
  );
}
