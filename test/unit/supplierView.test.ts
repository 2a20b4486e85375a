import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OrderView, ShipmentState } from '../../src/domain/orderView';
import { supplierOrderViewSchema, supplierViewOf } from '../../src/domain/supplierView';
import { makeOrder, paid, toCanonical } from '../fixtures/orders';

const line = (lineId: string, sku: string, category: string, quantity = 1) => ({
  lineId,
  sku,
  category,
  quantity,
  unitPrice: 19.99,
  listPrice: 25.99,
});

const shipment = (
  shipmentId: string,
  kind: ShipmentState['kind'],
  locationId: string,
  lineIds: string[],
  extra: Partial<ShipmentState> = {},
) =>
  ({ shipmentId, kind, locationId, lineIds, promisedDeliveryDays: 5, step: 'dispatched', writtenBack: false, ...extra }) as ShipmentState;

/** A paid order with a warehouse line, two sofa-maker lines and a lamp-maker line, and the given shipments. */
function viewWith(shipments: ShipmentState[]): OrderView {
  const order = toCanonical(
    paid(
      makeOrder({
        lines: [
          line('L1', 'TEE-001', 'tshirt'),
          line('L2', 'SOFA-1', 'sofa', 2),
          line('L3', 'SOFA-2', 'sofa'),
          line('L4', 'LAMP-1', 'lamp'),
        ],
        amounts: { goods: 99.95, shipping: 0, discount: 0, paid: 99.95 },
      }),
    ),
  );
  return {
    orderId: `tmall-${order.channelOrderId}`,
    workflowId: `Order:tmall-${order.channelOrderId}`,
    status: 'FULFILLING',
    order,
    holds: [],
    shipments,
    reservations: [],
    waiting: { for: 'fulfilment', since: '2026-11-24T08:02:00Z', who: 'warehouse or supplier' },
    returns: [],
    timeline: [],
    version: 7,
  };
}

test('an order without a shipment of the supplier is not shown to it', () => {
  const view = viewWith([shipment('S1', 'warehouse', 'suzhou', ['L1']), shipment('S2', 'supplier', 'lamp-maker', ['L4'])]);
  assert.equal(supplierViewOf(view, 'sofa-maker'), undefined);
});

test("a supplier sees only its own lines and shipments: no prices, no warehouse's or other supplier's parcels", () => {
  const view = viewWith([
    shipment('S1', 'warehouse', 'suzhou', ['L1']),
    shipment('S2', 'supplier', 'sofa-maker', ['L2', 'L3']),
    shipment('S3', 'supplier', 'lamp-maker', ['L4']),
  ]);
  const part = supplierViewOf(view, 'sofa-maker')!;
  assert.deepEqual(part, {
    orderId: view.orderId,
    status: 'FULFILLING',
    orderedAt: view.order.createdAt,
    shippingAddress: view.order.shippingAddress,
    lines: [
      { lineId: 'L2', sku: 'SOFA-1', quantity: 2 },
      { lineId: 'L3', sku: 'SOFA-2', quantity: 1 },
    ],
    shipments: [{ shipmentId: 'S2', step: 'dispatched', lineIds: ['L2', 'L3'] }],
  });
  assert.deepEqual(supplierOrderViewSchema.parse(part), part);
  assert.doesNotMatch(JSON.stringify(part), /Price|amounts|TEE-001|LAMP-1|suzhou|lamp-maker/);
});

test('a split-off parcel shows its carrier and tracking number, and a rejected shipment still names its lines', () => {
  const view = viewWith([
    shipment('S2', 'supplier', 'sofa-maker', ['L3'], { step: 'accepted' }),
    shipment('S2-P1', 'supplier', 'sofa-maker', ['L2'], {
      step: 'shipped',
      carrier: 'SF',
      trackingNumber: 'SF100200300',
      shippedAt: '2026-11-25T09:00:00Z',
    }),
    shipment('S4', 'supplier', 'lamp-maker', ['L4'], { step: 'rejected' }),
    shipment('S5', 'warehouse', 'hefei', ['L4']),
  ]);
  const sofa = supplierViewOf(view, 'sofa-maker')!;
  assert.deepEqual(
    sofa.lines.map((l) => l.lineId),
    ['L2', 'L3'],
    'in the order of the order, whichever shipment carries them',
  );
  assert.deepEqual(sofa.shipments, [
    { shipmentId: 'S2', step: 'accepted', lineIds: ['L3'] },
    {
      shipmentId: 'S2-P1',
      step: 'shipped',
      lineIds: ['L2'],
      carrier: 'SF',
      trackingNumber: 'SF100200300',
      shippedAt: '2026-11-25T09:00:00Z',
    },
  ]);
  const lamp = supplierViewOf(view, 'lamp-maker')!;
  assert.deepEqual(lamp.lines, [{ lineId: 'L4', sku: 'LAMP-1', quantity: 1 }]);
  assert.deepEqual(
    lamp.shipments.map((s) => `${s.shipmentId}:${s.step}`),
    ['S4:rejected'],
    'the warehouse parcel that took its line over is not shown',
  );
});
