/** A warehouse's WMS receives pick lists, their withdrawal and address changes as signed events. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createWmsAdapter } from '../../../src/activities/partners/wms';
import type { PickList, WmsAdapter } from '../../../src/activities/partners/types';
import { startWebhookReceiver, type WebhookReceiver } from '../../../scripts/lib/partners/webhookReceiver';
import { newSecret, suzhou } from './helpers';

const secret = newSecret();
let wms: WebhookReceiver;
let adapter: WmsAdapter;

before(async () => {
  wms = await startWebhookReceiver({ secrets: [secret] });
  adapter = createWmsAdapter({ url: `${wms.server.url}/wms` }, { signingSecrets: [secret], timeoutMs: 2000 });
});
after(() => wms.server.stop());

test('a pick list arrives whole, its lines in the order given (zone order, not sku order)', async () => {
  const pickList: PickList = {
    orderId: 'o-1',
    shipmentId: 's-1',
    warehouseId: 'suzhou',
    lines: [
      { lineId: 'l3', sku: 'ZZ-9', quantity: 1, zone: 'A' },
      { lineId: 'l1', sku: 'AA-1', quantity: 2, zone: 'B' },
      { lineId: 'l2', sku: 'MM-5', quantity: 3, zone: 'C' },
    ],
    address: suzhou,
    waybill: { carrier: 'SF', trackingNumber: 'SF1' },
  };

  const answer = await adapter.sendPickList(pickList, 'pick:s-1');

  assert.equal(answer.outcome, 'delivered');
  const [event] = wms.events('pick_list.created');
  assert.equal(event?.id, 'pick:s-1');
  assert.deepEqual(event?.data, pickList);
  assert.deepEqual(
    (event?.data as PickList).lines.map((line) => line.lineId),
    ['l3', 'l1', 'l2'],
  );
});

test('a withdrawal and an address change arrive as their own event types', async () => {
  const withdrawal = { orderId: 'o-1', shipmentId: 's-1', warehouseId: 'suzhou', reason: 'order cancelled' };
  const change = { orderId: 'o-2', shipmentId: 's-2', warehouseId: 'suzhou', address: { ...suzhou, line1: '2 Renmin Rd' } };

  await adapter.withdrawPickList(withdrawal, 'withdraw:s-1');
  await adapter.sendAddressChange(change, 'address:s-2');

  assert.deepEqual(
    wms.events('pick_list.withdrawn').map((event) => event.data),
    [withdrawal],
  );
  assert.deepEqual(
    wms.events('shipment.address_changed').map((event) => event.data),
    [change],
  );
});
