/**
 * Finance: the payable export of parcels — drop-ship suppliers' and warehouse partners' — with the parcels of those whose
 * payouts are frozen (ES-4) withheld.
 */
import { z } from 'zod';
import type { Stores } from '../../../db/stores';
import type { Api } from '../../route';

const parcelSchema = z.object({
  payee: z.object({ kind: z.enum(['supplier', 'warehouse']), id: z.string() }),
  orderId: z.string(),
  shipmentId: z.string(),
  shippedAt: z.string(),
  trackingNumber: z.string().optional(),
  lines: z.array(z.object({ lineId: z.string(), sku: z.string(), quantity: z.number().int(), amountMinor: z.number().int() })),
  amountMinor: z.number().int(),
});
const withheldSchema = parcelSchema.extend({
  frozen: z.object({ since: z.string().optional(), by: z.string().optional(), reason: z.string().optional() }),
});

/** Declares the finance endpoints. */
export function financeRoutes(api: Api, stores: Stores): void {
  api.endpoint(
    {
      method: 'get',
      path: '/v1/finance/payable-shipments',
      tag: 'operations',
      access: ['operations'],
      summary:
        "Parcels shipped in [from, to) per payee: drop-ship suppliers' and warehouse partners' (those with an account; the brand's own warehouses are paid nothing), worth the order's prices (minor units; a warehouse partner's fee is per parcel under its contract). A payee whose payouts are frozen (ES-4, or by hand) is left out of `payable` and listed under `withheld` with the freeze.",
      query: z.strictObject({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }),
      responses: {
        200: { description: 'the export', schema: z.object({ payable: z.array(parcelSchema), withheld: z.array(withheldSchema) }) },
      },
    },
    async ({ query }) => {
      const window = { from: new Date(query.from), to: new Date(query.to) };
      const payable: Array<z.infer<typeof parcelSchema>> = [];
      const withheld: Array<z.infer<typeof withheldSchema>> = [];
      for (const kind of ['supplier', 'warehouse'] as const) {
        for (const account of await stores.accounts.list(kind)) {
          const parcels = await stores.orders.shippedParcels({ kind, id: account.partyId }, window);
          const payout = account.payout;
          if (payout?.frozen) {
            const frozen = { since: payout.since, by: payout.by, reason: payout.reason };
            withheld.push(...parcels.map((p) => ({ ...p, frozen })));
          } else payable.push(...parcels);
        }
      }
      return { status: 200, body: { payable, withheld } };
    },
  );
}
