/** The one place ids are built: orders, returns, their workflows, outages, alerts and the delivery task queue. No zod, no I/O. */
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

/** The reservation key of an order line in a warehouse in an allocation round: new each round, the same on a retry. */
export function reservationKeyOf(orderId: string, round: number, lineId: string, warehouseId: string): string {
  return `${orderId}/${round}/${lineId}@${warehouseId}`;
}

/** The idempotency key of one parcel's tracking write-back to its channel (FS-2). */
export function writeBackKey(orderId: string, shipmentId: string): string {
  return `channel:shipment:${orderId}:${shipmentId}`;
}

/** The workflow id of the rollout of one escalation policy version to the running orders. */
export function escalationRolloutWorkflowId(version: number): string {
  return `EscalationPolicy:v${version}`;
}

/** The key of one return of an order (`{orderId}:{returnId}`): unique because an order id never holds a colon. */
export function returnKeyOf(orderId: string, returnId: string): string {
  return `${orderId}:${returnId}`;
}

/** The one workflow id of a return (`Return:{orderId}:{returnId}`), so a repeated request starts it once. */
export function returnWorkflowId(orderId: string, returnId: string): string {
  return `Return:${returnKeyOf(orderId, returnId)}`;
}

/** The idempotency key of a return's refund at the payment provider: one refund per return, however often it is retried. */
export function refundKeyOf(orderId: string, returnId: string): string {
  return `refund:${returnKeyOf(orderId, returnId)}`;
}

// Crockford's base32: no I, L, O or U, so an RMA read over the phone or off a crumpled slip is not misread.
const RMA_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

/** MurmurHash3's 64-bit finaliser: FNV-1a alone leaves most bits unchanged when only the last character differs. */
function mix64(value: bigint): bigint {
  let h = value;
  h = ((h ^ (h >> 33n)) * 0xff51afd7ed558ccdn) & MASK_64;
  h = ((h ^ (h >> 33n)) * 0xc4ceb9fe1a85ec53n) & MASK_64;
  return h ^ (h >> 33n);
}

/**
 * The RMA number printed on a return's slip and label (RF-2): `RMA-` and 12 letters and digits, the same every time for
 * the same order and return (a retry or replay needs no counter). 60 bits of a hash of the return's key; not secret.
 */
export function rmaNumber(orderId: string, returnId: string): string {
  const key = returnKeyOf(orderId, returnId);
  let hash = FNV_OFFSET;
  // Ids are ASCII (letters, digits, _ . -), so code units are their bytes; no TextEncoder needed in a workflow.
  for (let i = 0; i < key.length; i += 1) hash = ((hash ^ BigInt(key.charCodeAt(i))) * FNV_PRIME) & MASK_64;
  const mixed = mix64(hash);
  let code = '';
  for (let i = 0; i < 12; i += 1) code += RMA_ALPHABET[Number((mixed >> BigInt(5 * i)) & 31n)];
  return `RMA-${code}`;
}

/** The key of one escalation notice: the order, the fired level and the recipient's place in it, so it is sent once. */
export function escalationNoticeKey(orderId: string, escalationId: string, index: number): string {
  return `esc:${orderId}:${escalationId}:${index}`;
}

/** The key of a refund of the order's payment for a cause other than a return (a cancellation, an adjustment). */
export function paymentRefundKey(orderId: string, cause: string): string {
  return `payment:refund:${orderId}:${cause}`;
}
