/** Channel activities: write each parcel's tracking number back to the sales channel (FS-2). */
import type { DeliveryOutcome } from '../domain/delivery';
import { writeBackKey } from '../domain/ids';
import type { CanonicalOrder, Channel } from '../domain/order';
import type { ActivityDeps } from './deps';
import { createDeliverer } from './delivery';

/** Builds the channel activities. */
export function createChannelActivities(deps: ActivityDeps) {
  const deliver = createDeliverer(deps);
  const { partners } = deps;
  return {
    /**
     * Writes one parcel back to the order's channel through the channel's adapter; "written back" only when the
     * channel answered success. `lines` carry quantities (orders of the first two designs send only `lineIds`).
     */
    async writeBackShipment(input: {
      orderId: string;
      channel: Channel;
      channelOrderId: string;
      shipmentId: string;
      trackingNumber: string;
      carrier: string;
      lineIds: string[];
      lines?: CanonicalOrder['lines'];
    }): Promise<DeliveryOutcome> {
      const { orderId, channel, shipmentId } = input;
      const adapter = partners.channel(channel);
      const key = writeBackKey(orderId, shipmentId);
      const lines = (input.lines ?? input.lineIds.map((lineId) => ({ lineId, sku: '', quantity: 0 })))
        .filter((l) => input.lineIds.includes(l.lineId))
        .map(({ lineId, sku, quantity }) => ({ lineId, sku, quantity }));
      const writeBack = {
        orderId,
        channel,
        channelOrderId: input.channelOrderId,
        shipmentId,
        carrier: input.carrier,
        trackingNumber: input.trackingNumber,
        lines,
      };
      return deliver(
        { key, orderId, partner: { kind: 'channel', id: channel }, kind: 'shipmentWriteBack' },
        adapter && (() => adapter.writeBackShipment(writeBack, key)),
      );
    },
  };
}
