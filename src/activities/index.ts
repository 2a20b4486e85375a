/** Every activity, built from its dependencies (tests pass their own). */
import { createAllocationActivities } from './allocation';
import { createChannelActivities } from './channel';
import type { ActivityDeps } from './deps';
import { createEscalationActivities } from './escalation';
import { createInventoryActivities } from './inventory';
import { createNotificationActivities } from './notification';
import { createOrderActivities } from './order';
import { createPaymentActivities } from './payment';
import { createReturnActivities } from './returns';
import { createRoutingActivities } from './routing';
import { createSupplierActivities } from './supplier';
import { createWarehouseActivities } from './warehouse';

/** Builds all activities. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createOrderActivities(deps),
    ...createInventoryActivities(deps),
    ...createRoutingActivities(deps),
    ...createAllocationActivities(deps),
    ...createWarehouseActivities(deps),
    ...createSupplierActivities(deps),
    ...createChannelActivities(deps),
    ...createPaymentActivities(deps),
    ...createNotificationActivities(deps),
    ...createEscalationActivities(deps),
    ...createReturnActivities(deps),
  };
}

/** The activity functions, as workflows see their types. */
export type Activities = ReturnType<typeof createActivities>;
