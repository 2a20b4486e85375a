/** How an order shows itself in the Temporal Web UI: search attributes for list filters, details for "why". */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { Hold, OrderView } from '../../domain/orderView';
import {
  BrandKey,
  ChannelKey,
  EscalationLevelKey,
  HoldReasonKey,
  NeedsAttentionKey,
  OrderStatusKey,
  SupplierIdKey,
  WaitingSinceKey,
  WarehouseIdKey,
} from '../../domain/searchAttributes';
import { escalationLevelOfView } from './escalation';

/** True when a person must act on the order now: it is held, a partner refused a message, or a write-back is late. */
export function needsAttention(view: OrderView): boolean {
  return view.status === 'ON_HOLD' || (view.attention?.length ?? 0) > 0;
}

function describeHolds(holds: Hold[]): string {
  return holds.map((hold) => `- \`${hold.reason}\` (${hold.ruleId}): ${hold.detail}`).join('\n');
}

/** The order's search attributes as the Web UI filters on them. */
function attributesOf(view: OrderView): SearchAttributeUpdatePair[] {
  const warehouses = view.shipments.filter((s) => s.kind === 'warehouse' && s.step !== 'planned').map((s) => s.locationId);
  const suppliers = view.shipments.filter((s) => s.kind === 'supplier' && s.step !== 'rejected').map((s) => s.locationId);
  return [
    { key: OrderStatusKey, value: view.status },
    { key: ChannelKey, value: view.order.channel },
    { key: BrandKey, value: view.order.brand },
    { key: WarehouseIdKey, value: [...new Set(warehouses)] },
    { key: SupplierIdKey, value: [...new Set(suppliers)] },
    // An escalation's pin shows as a hold reason too, so the manual-review queue is one filter (ES-5).
    { key: HoldReasonKey, value: view.holds[0]?.reason ?? view.attention?.find((a) => a.code)?.code ?? null },
    { key: EscalationLevelKey, value: escalationLevelOfView(view) },
    { key: NeedsAttentionKey, value: needsAttention(view) },
    { key: WaitingSinceKey, value: new Date(view.waiting.since) },
  ];
}

/** What the order waits for, its holds, routing and shipments, as the Web UI's current details (markdown). */
function describe(view: OrderView): string {
  const lines = [`**${view.status}** — waiting for **${view.waiting.for}** since ${view.waiting.since}; who acts: ${view.waiting.who}.`];
  if (view.holds.length > 0) lines.push('', '**Holds**', describeHolds(view.holds));
  if (view.attention?.length)
    lines.push(
      '',
      '**Needs attention**',
      ...view.attention.map((a) => `- \`${a.kind}\` since ${a.since} · ${a.partner} · ${a.reason} (\`${a.key}\`)`),
    );
  if (view.routing) lines.push('', `**Routing:** ${view.routing.summary}`);
  if (view.shipments.length > 0) {
    lines.push('', '**Shipments**');
    for (const s of view.shipments)
      lines.push(
        `- ${s.shipmentId} · ${s.kind} ${s.locationId} · ${s.step}${s.trackingNumber ? ` · ${s.carrier} ${s.trackingNumber}` : ''}`,
      );
  }
  if (view.cancellation)
    lines.push('', `**Cancelled** by ${view.cancellation.by} (${view.cancellation.actor}): ${view.cancellation.reason}`);
  return lines.join('\n');
}

/** Publishes every search attribute and the current details (orders of the first design, on every record). */
export function publish(view: OrderView): void {
  upsertSearchAttributes(attributesOf(view));
  setCurrentDetails(describe(view));
}

/** Search attributes as last published: name → JSON of the value. */
export type PublishedAttributes = Map<string, string>;

/** Upserts only the search attributes that changed since `published` (each upsert is a billable action), and the details. */
export function publishChanges(view: OrderView, published: PublishedAttributes): void {
  const changed = attributesOf(view).filter(({ key, value }) => published.get(key.name) !== JSON.stringify(value));
  if (changed.length > 0) upsertSearchAttributes(changed);
  for (const { key, value } of changed) published.set(key.name, JSON.stringify(value));
  setCurrentDetails(describe(view));
}
