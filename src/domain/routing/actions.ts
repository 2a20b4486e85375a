/** Folds the actions of matched rules into one routing plan; earlier (higher-precedence) rules win. */
import type { OrderLine } from '../order';
import type { RoutingFlag } from './decision';
import type { RoutingQueue, RoutingRule } from './rules';

/** A warehouse named by a rule, with that rule's id for the explanation. */
export interface RuleWarehouse {
  readonly warehouseId: string;
  readonly ruleId: string;
}

/** A drop-ship assignment from a rule; without a filter it takes every line. */
export interface SupplierAssignment {
  readonly supplierId: string;
  readonly category?: string;
  readonly skuPrefix?: string;
  readonly ruleId: string;
}

/** What the matched rules ask of routing, before any warehouse is looked at. */
export interface RoutingPlan {
  /** Only this warehouse may ship: a rule that requires one must never be silently overridden. */
  readonly required?: RuleWarehouse;
  readonly preferred: readonly RuleWarehouse[];
  /** Excluded warehouse id → the first rule that excluded it. */
  readonly excluded: ReadonlyMap<string, string>;
  readonly suppliers: readonly SupplierAssignment[];
  readonly queues: readonly RoutingQueue[];
  readonly priority?: number;
  readonly flags: readonly RoutingFlag[];
}

/**
 * The plan of matched rules, given in evaluation order. Single-valued settings (required warehouse,
 * priority) come from the first rule that sets them; lists (preferred, queues, flags) keep rule order.
 */
export function planFromRules(rules: readonly RoutingRule[]): RoutingPlan {
  let required: RuleWarehouse | undefined;
  let priority: number | undefined;
  const preferred: RuleWarehouse[] = [];
  const excluded = new Map<string, string>();
  const suppliers: SupplierAssignment[] = [];
  const queues = new Set<RoutingQueue>();
  const flags: RoutingFlag[] = [];
  for (const rule of rules) {
    for (const action of rule.then) {
      switch (action.type) {
        case 'requireWarehouse':
          required ??= { warehouseId: action.warehouseId, ruleId: rule.id };
          break;
        case 'preferWarehouses':
          for (const warehouseId of action.warehouseIds) preferred.push({ warehouseId, ruleId: rule.id });
          break;
        case 'excludeWarehouses':
          for (const warehouseId of action.warehouseIds) if (!excluded.has(warehouseId)) excluded.set(warehouseId, rule.id);
          break;
        case 'assignSupplier':
          suppliers.push({ supplierId: action.supplierId, ...action.lines, ruleId: rule.id });
          break;
        case 'setQueue':
          queues.add(action.queue);
          break;
        case 'setPriority':
          priority ??= action.priority;
          break;
        case 'flag':
          flags.push({ color: action.color, note: action.note, ruleId: rule.id });
          break;
      }
    }
  }
  return { required, preferred, excluded, suppliers, queues: [...queues], priority, flags };
}

/** The first supplier assignment that covers a line (category and SKU prefix compare without case). */
export function supplierFor(line: OrderLine, plan: RoutingPlan): SupplierAssignment | undefined {
  const category = line.category.toLowerCase();
  const sku = line.sku.toLowerCase();
  return plan.suppliers.find(
    (assignment) =>
      (assignment.category === undefined || assignment.category.toLowerCase() === category) &&
      (assignment.skuPrefix === undefined || sku.startsWith(assignment.skuPrefix.toLowerCase())),
  );
}
