/** `routeOrder`: rules, then candidates, then the fewest shipments, with the reasons recorded (RT-1…RT-6). */
import { type CanonicalOrder, type OrderLine } from '../order';
import { orderIdOf } from '../ids';
import { planFromRules, supplierFor, type RoutingPlan } from './actions';
import { allocate } from './allocation';
import { candidatesFor, demandsOf, type Candidate } from './candidates';
import { matchRules, orderFacts } from './conditions';
import type { RoutingContext } from './context';
import type { PlannedShipment } from '../shipment';
import type { CandidateSeen, RoutingDecision } from './decision';
import { fallbacksOf, summaryOf, unroutableOf } from './explain';
import { regionOfProvince } from './regions';
import type { RoutingQueue } from './rules';
import { deliveryDaysFor } from './warehouses';

/** A candidate as recorded in the explanation. */
function seenOf(candidate: Candidate): CandidateSeen {
  const status = candidate.exclusion ?? (candidate.demoted ? 'DEMOTED' : 'AVAILABLE');
  return {
    warehouseId: candidate.warehouseId,
    source: candidate.source,
    ...(candidate.ruleId ? { ruleId: candidate.ruleId } : {}),
    status,
    stock: [...candidate.stock],
  };
}

/** Supplier shipments for lines a rule sends to drop-ship suppliers, and the lines left for warehouses. */
function splitBySupplier(order: CanonicalOrder, plan: RoutingPlan, context: RoutingContext) {
  const bySupplier = new Map<string, string[]>();
  const warehouseLines: OrderLine[] = [];
  // A supplier that rejected these lines is not asked again: the next assignment or the warehouses take them.
  const excluded = new Set(context.excludedSuppliers);
  const open = excluded.size > 0 ? { ...plan, suppliers: plan.suppliers.filter((s) => !excluded.has(s.supplierId)) } : plan;
  for (const line of order.lines) {
    const assignment = supplierFor(line, open);
    if (!assignment) warehouseLines.push(line);
    else bySupplier.set(assignment.supplierId, [...(bySupplier.get(assignment.supplierId) ?? []), line.lineId]);
  }
  const shipments: PlannedShipment[] = [...bySupplier].map(([supplierId, lineIds]) => ({
    kind: 'supplier',
    locationId: supplierId,
    lineIds,
    promisedDeliveryDays: context.supplierDeliveryDays[supplierId] ?? null,
  }));
  return { shipments, warehouseLines };
}

/**
 * Routes one order. Pure: everything it reads is in `order` and `context` (including `now`), and the result is
 * plain JSON, so an activity can record both. Lines nobody can ship are reported as `unroutable`, never thrown.
 * Rules cost O(rules × lines); warehouses O(candidates × SKUs × shipments).
 */
export function routeOrder(order: CanonicalOrder, context: RoutingContext): RoutingDecision {
  const matched = matchRules(context.ruleSet, orderFacts(order, context.now, context.dueAt));
  const plan = planFromRules(matched);
  const province = order.shippingAddress.province;
  const region = regionOfProvince(province);
  const suppliers = splitBySupplier(order, plan, context);
  const demands = demandsOf(suppliers.warehouseLines);
  const candidates = demands.length > 0 ? candidatesFor(plan, region, demands, context) : [];
  const allocation = allocate(candidates, demands);

  const lineIndex = new Map(order.lines.map((line, index) => [line.lineId, index]));
  const byOrderLine = (a: string, b: string) => (lineIndex.get(a) ?? 0) - (lineIndex.get(b) ?? 0);
  const warehouseShipments: PlannedShipment[] = allocation.shipments.map((s) => ({
    kind: 'warehouse',
    locationId: s.warehouse.id,
    lineIds: s.demands.flatMap((d) => d.lineIds).sort(byOrderLine),
    promisedDeliveryDays: deliveryDaysFor(s.warehouse, region),
  }));
  const shipments = [...warehouseShipments, ...suppliers.shipments];
  // Drop-ship lines always join the supplier queue (RT-3), whichever rule sent them there.
  const queues: RoutingQueue[] = [
    ...plan.queues,
    ...(suppliers.shipments.length > 0 && !plan.queues.includes('dropship') ? ['dropship' as const] : []),
  ];
  const promised = shipments.flatMap((s) => (s.promisedDeliveryDays === null ? [] : [s.promisedDeliveryDays]));

  const decision: Omit<RoutingDecision, 'explanation'> = {
    orderId: orderIdOf(order.channel, order.channelOrderId),
    decidedAt: context.now,
    shipments,
    unroutable: unroutableOf(plan, candidates, allocation.uncovered),
    queues,
    priority: plan.priority ?? context.defaultPriority,
    flags: [...plan.flags],
    // One order to the customer (RT-5): the promise is the slowest shipment's.
    promisedDeliveryDays: promised.length > 0 ? Math.max(...promised) : null,
  };
  const fallbacks = fallbacksOf(candidates, allocation);
  const matchedRuleIds = matched.map((rule) => rule.id);
  return {
    ...decision,
    explanation: {
      ruleSet: { id: context.ruleSet.id, version: context.ruleSet.version },
      matchedRules: matched.map(({ id, name, priority }) => ({ id, name, priority })),
      province,
      region: region ?? null,
      candidates: candidates.map(seenOf),
      fallbacks,
      summary: summaryOf({ region, province, candidates, allocation, decision, matchedRuleIds }, fallbacks),
    },
  };
}
