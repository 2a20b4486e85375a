/** A warehouse outage (RT-4): every order held there that has not started picking is asked to move. */
import { getExternalWorkflowHandle, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { orderWorkflowId } from '../../domain/ids';
import { requestReroute } from '../order/messages';

const { findOrdersToReroute } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' } });

/** Input of a warehouse outage. */
export interface WarehouseOutageInput {
  warehouseId: string;
  reason: string;
  requestedBy: string;
}

/** Signals every affected order to re-route; each order decides for itself whether it still can. */
export async function warehouseOutageWorkflow(input: WarehouseOutageInput): Promise<{ signalled: string[] }> {
  const orderIds = await findOrdersToReroute({ warehouseId: input.warehouseId });
  const signalled: string[] = [];
  for (const orderId of orderIds) {
    try {
      await getExternalWorkflowHandle(orderWorkflowId(orderId)).signal(requestReroute, {
        reason: input.reason,
        requestedBy: input.requestedBy,
      });
      signalled.push(orderId);
    } catch (error) {
      // The order finished meanwhile: nothing to move.
      log.info('order not signalled', { orderId, error: String(error) });
    }
  }
  return { signalled };
}
