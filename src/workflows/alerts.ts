/** An operations alert raised outside an order's run (e.g. stock under its safety line): one delivery, Temporal's retries. */
import { workflowInfo } from '@temporalio/workflow';
import type { OperationsAlert } from '../activities/notification';
import type { DeliveryOutcome } from '../domain/delivery';
import { deliveryProxies } from './order/proxies';

/** Delivers one alert to operations; its workflow id is the alert's key, so it runs once per situation. */
export async function operationsAlertWorkflow(alert: OperationsAlert): Promise<DeliveryOutcome> {
  return deliveryProxies(workflowInfo().taskQueue).notifyOperations(alert);
}
