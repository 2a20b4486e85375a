/** The one place ids are built: orders, their workflows, outages, alerts and the delivery task queue. No zod, no I/O. */
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

/** The workflow id of one operations alert raised outside an order's run: its idempotency key makes it start once. */
export function operationsAlertWorkflowId(alertKey: string): string {
  return `Alert:${alertKey}`;
}

/** The task queue partner deliveries run on, beside an order task queue: a slow partner takes only delivery slots. */
export function deliveryTaskQueue(orderTaskQueue: string): string {
  return `${orderTaskQueue}-deliveries`;
}

/** The idempotency key of one parcel's tracking write-back to its channel (FS-2). */
export function writeBackKey(orderId: string, shipmentId: string): string {
  return `channel:shipment:${orderId}:${shipmentId}`;
}

/** The workflow id of the rollout of one escalation policy version to the running orders. */
export function escalationRolloutWorkflowId(version: number): string {
  return `EscalationPolicy:v${version}`;
}
