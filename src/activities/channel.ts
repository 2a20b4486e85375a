/** Channel activities: write the tracking number back to the sales channel (FS-2). */
import type { Channel } from '../domain/order';
import type { ActivityDeps } from './deps';
import { createSender } from './outbox';

/** Builds the channel activities. */
export function createChannelActivities(deps: ActivityDeps) {
  const send = createSender(deps);
  return {
    /** Writes one parcel's tracking number back to the channel the order came from. */
    async writeBackShipment(input: {
      orderId: string;
      channel: Channel;
      channelOrderId: string;
      shipmentId: string;
      trackingNumber: string;
      carrier: string;
      lineIds: string[];
    }): Promise<void> {
      const { orderId, channel, shipmentId, ...payload } = input;
      await send({
        key: `channel:shipment:${orderId}:${shipmentId}`,
        target: 'channel',
        kind: 'shipmentWriteBack',
        orderId,
        recipient: channel,
        payload: { shipmentId, ...payload },
      });
    },
  };
}
