/** The one place ids are built: an order's id, its workflow's id, a warehouse outage's workflow id. No zod, no I/O. */
import type { Channel } from './order';

/** The hub's order id: channel and channel order id, unique across channels. */
export function orderIdOf(channel: Channel, channelOrderId: string): string {
  return `${channel}-${channelOrderId}`;
}

/** The one workflow id of an order (`Order:{orderId}`). */
export function orderWorkflowId(orderId: string): string {
  return `Order:${orderId}`;
}

/** The workflow id of one warehouse outage, so a repeated save of the same network version starts it once. */
export function warehouseOutageWorkflowId(warehouseId: string, networkVersion: number): string {
  return `WarehouseOutage:${warehouseId}:v${networkVersion}`;
}
