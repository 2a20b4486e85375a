/** A warehouse outage (RT-4): every order held there that has not started picking is asked to move. */
import { getExternalWorkflowHandle, log, patched, proxyActivities, sleep } from '@temporalio/workflow';
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

/**
 * How long after the first sweep the second looks again: a worker goes on with the network it last looked up for up to
 * a second (SETTINGS_FRESHNESS_MS), so an order may still be routed to the stopped warehouse just after the save.
 */
const SECOND_SWEEP_AFTER = '10 seconds';

/** Signals every affected order to re-route; each order decides for itself whether it still can. */
export async function warehouseOutageWorkflow(input: WarehouseOutageInput): Promise<{ signalled: string[] }> {
  const signalled: string[] = [];
  const sweep = async () => {
    const orderIds = await findOrdersToReroute({ warehouseId: input.warehouseId });
    for (const orderId of orderIds.filter((id) => !signalled.includes(id))) {
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
  };
  await sweep();
  if (patched('outage-second-sweep')) {
    await sleep(SECOND_SWEEP_AFTER);
    await sweep();
  }
  return { signalled };
}
