/** The workflow's view of its order and how it shows itself to operations (search attributes, details). */
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { CanonicalOrder } from '../../domain/order';
import type { Actor } from '../../domain/orderEvents';
import type { Hold, OrderView, Waiting } from '../../domain/orderView';
import {
  BrandKey, ChannelKey, EscalationLevelKey, HoldReasonKey, NeedsAttentionKey, OrderStatusKey, SupplierIdKey, WaitingSinceKey, WarehouseIdKey,
} from '../../domain/searchAttributes';
import type { OrderStatus } from '../../domain/status';

/** The workflow itself as the actor of the changes it makes on its own. */
export const systemActor: Actor = { kind: 'system', id: 'order-workflow' };

/** Who must act, by what the order waits for. */
const actorFor: Record<string, string> = {
  payment: 'buyer',
  review: 'operations (risk reviewer)',
  allocation: 'system',
  fulfilment: 'warehouse or supplier',
  delivery: 'carrier',
  'return window': 'nobody (timer)',
  nothing: 'nobody',
};

/** The current instant in workflow time, as ISO text. */
export function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

/** Creates the first view of a received order. */
export function initialView(orderId: string, order: CanonicalOrder): OrderView {
  const at = nowIso();
  return {
    orderId,
    workflowId: workflowInfo().workflowId,
    status: 'AWAITING_PAYMENT',
    order,
    holds: [],
    shipments: [],
    reservations: [],
    waiting: { for: 'payment', since: at, who: actorFor.payment! },
    returns: [],
    timeline: [{ at, status: 'AWAITING_PAYMENT', note: 'order received' }],
    version: 1,
  };
}

/** Moves the view to a status and records what it now waits for. */
export function transition(view: OrderView, status: OrderStatus, waitingFor: string, note: string): void {
  const at = nowIso();
  view.status = status;
  view.waiting = { for: waitingFor, since: at, who: actorFor[waitingFor] ?? 'operations' } satisfies Waiting;
  view.timeline.push({ at, status, note });
}

/** True when a person must act on the order now. */
export function needsAttention(view: OrderView): boolean {
  return view.status === 'ON_HOLD';
}

function describeHolds(holds: Hold[]): string {
  return holds.map((hold) => `- \`${hold.reason}\` (${hold.ruleId}): ${hold.detail}`).join('\n');
}

/** Publishes search attributes and current details so the Web UI can list and explain the order. */
export function publish(view: OrderView): void {
  const warehouses = view.shipments.filter((s) => s.kind === 'warehouse' && s.step !== 'planned').map((s) => s.locationId);
  const suppliers = view.shipments.filter((s) => s.kind === 'supplier').map((s) => s.locationId);
  upsertSearchAttributes([
    { key: OrderStatusKey, value: view.status },
    { key: ChannelKey, value: view.order.channel },
    { key: BrandKey, value: view.order.brand },
    { key: WarehouseIdKey, value: [...new Set(warehouses)] },
    { key: SupplierIdKey, value: [...new Set(suppliers)] },
    { key: HoldReasonKey, value: view.holds[0]?.reason ?? null },
    { key: EscalationLevelKey, value: 0 },
    { key: NeedsAttentionKey, value: needsAttention(view) },
    { key: WaitingSinceKey, value: new Date(view.waiting.since) },
  ]);
  const lines = [
    `**${view.status}** — waiting for **${view.waiting.for}** since ${view.waiting.since}; who acts: ${view.waiting.who}.`,
  ];
  if (view.holds.length > 0) lines.push('', '**Holds**', describeHolds(view.holds));
  if (view.routing) lines.push('', `**Routing:** ${view.routing.summary}`);
  if (view.shipments.length > 0) {
    lines.push('', '**Shipments**');
    for (const s of view.shipments) lines.push(`- ${s.shipmentId} · ${s.kind} ${s.locationId} · ${s.step}${s.trackingNumber ? ` · ${s.carrier} ${s.trackingNumber}` : ''}`);
  }
  if (view.cancellation) lines.push('', `**Cancelled** by ${view.cancellation.by} (${view.cancellation.actor}): ${view.cancellation.reason}`);
  setCurrentDetails(lines.join('\n'));
}
