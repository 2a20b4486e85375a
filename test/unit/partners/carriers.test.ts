/** A carrier issues the tracking number the warehouse prints; a lost answer must not cost a second waybill. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createCarrierAdapter } from '../../../src/activities/partners/carriers';
import type { CarrierAdapter, WaybillRequest } from '../../../src/activities/partners/types';
import { startCarrier, type CarrierSimulator } from '../../../scripts/lib/partners/carrier';
import { newSecret, suzhou } from './helpers';

const secret = newSecret();
let carrier: CarrierSimulator;
let adapter: CarrierAdapter;

const request = (shipmentId: string): WaybillRequest => ({
  orderId: 'o-1',
  shipmentId,
  warehouseId: 'suzhou',
  recipient: suzhou,
  lines: [{ lineId: 'l1', sku: 'TEA-250', quantity: 2 }],
});

before(async () => {
  carrier = await startCarrier({ code: 'SF', secrets: [secret] });
  adapter = createCarrierAdapter(
    { adapter: 'webhook', url: `${carrier.server.url}/waybills` },
    { signingSecrets: [secret], timeoutMs: 2000 },
  );
});
after(() => carrier.server.stop());

test('the carrier issues a tracking number, delivered as the reference', async () => {
  const answer = await adapter.requestWaybill(request('s-1'), 'waybill:s-1');

  assert.equal(answer.outcome, 'delivered');
  assert.equal(answer.outcome === 'delivered' ? answer.reference : undefined, carrier.waybills()[0]?.trackingNumber);
  assert.deepEqual(carrier.waybills(), [{ id: 'waybill:s-1', trackingNumber: 'SF1', orderId: 'o-1', shipmentId: 's-1' }]);
  assert.deepEqual(carrier.events('waybill.requested')[0]?.data, request('s-1'));
});

test('a retry after a lost answer gets the same tracking number, and no second waybill', async () => {
  carrier.server.script('/waybills', { handleThenDrop: true });

  const lost = await adapter.requestWaybill(request('s-2'), 'waybill:s-2');
  const retried = await adapter.requestWaybill(request('s-2'), 'waybill:s-2');

  assert.equal(lost.outcome, 'retry');
  assert.equal(retried.outcome === 'delivered' ? retried.reference : retried.outcome, 'SF2');
  assert.deepEqual(
    carrier.waybills().filter((waybill) => waybill.shipmentId === 's-2'),
    [{ id: 'waybill:s-2', trackingNumber: 'SF2', orderId: 'o-1', shipmentId: 's-2' }],
  );
});

test('a 200 without a tracking number is refused: there is nothing to print', async () => {
  carrier.server.script(
    '/waybills',
    { status: 200, body: { ok: true } },
    { status: 200, body: 'accepted' },
    { status: 200, body: { trackingNumber: '' } },
  );

  const answers = [
    await adapter.requestWaybill(request('s-3'), 'waybill:s-3'),
    await adapter.requestWaybill(request('s-3'), 'waybill:s-3'),
    await adapter.requestWaybill(request('s-3'), 'waybill:s-3'),
  ];

  for (const answer of answers) {
    assert.equal(answer.outcome, 'refused');
    assert.equal(answer.status, 200);
    assert.match(answer.outcome === 'refused' ? answer.reason : '', /^carrier answered 200 without a valid tracking number/);
  }
});

test("a carrier's refusal keeps its reason", async () => {
  carrier.refuse((event) =>
    (event.data as WaybillRequest).recipient.city === 'Lhasa' ? { status: 422, message: 'address out of service area' } : undefined,
  );

  const answer = await adapter.requestWaybill(
    { ...request('s-4'), recipient: { ...suzhou, province: 'Tibet', city: 'Lhasa' } },
    'waybill:s-4',
  );

  assert.deepEqual(answer.outcome === 'refused' ? answer.reason : answer, 'HTTP 422: address out of service area');
  assert.equal(
    carrier.waybills().some((waybill) => waybill.shipmentId === 's-4'),
    false,
  );
});
