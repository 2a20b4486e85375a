/** A channel on the generic webhook takes each parcel's write-back once, deduped on our key (FS-2). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWebhookChannelAdapter } from '../../../src/activities/partners/channels/webhook';
import type { ShipmentWriteBack } from '../../../src/activities/partners/types';
import { startWebhookReceiver } from '../../../scripts/lib/partners/webhookReceiver';
import { newSecret } from './helpers';

test('a write-back is posted as shipment.shipped, and a retry with the same key is not a second parcel', async (t) => {
  const secret = newSecret();
  const channel = await startWebhookReceiver({ secrets: [secret] });
  t.after(() => channel.server.stop());
  const adapter = createWebhookChannelAdapter({ url: channel.server.url }, { signingSecrets: [secret], timeoutMs: 2000 });
  const writeBack: ShipmentWriteBack = {
    orderId: 'o-1',
    channel: 'website',
    channelOrderId: 'W-1001',
    shipmentId: 's-1',
    carrier: 'SF',
    trackingNumber: 'SF1',
    lines: [{ lineId: 'l1', sku: 'TEA-250', quantity: 2 }],
  };
  channel.server.script('/', { handleThenDrop: true });

  const lost = await adapter.writeBackShipment(writeBack, 'writeback:s-1');
  const retried = await adapter.writeBackShipment(writeBack, 'writeback:s-1');

  assert.equal(adapter.dedupe, 'idempotency-key');
  assert.deepEqual([lost.outcome, retried.outcome], ['retry', 'delivered']);
  assert.deepEqual(
    channel.events().map((event) => [event.type, event.data]),
    [['shipment.shipped', writeBack]],
  );
});
