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
 * A worker goes on with the network it last looked up for up to a second (SETTINGS_FRESHNESS_MS): the first look waits
 * until every worker routes, and re-routes, with the network that stopped the warehouse (an order asked to move sooner
 * could find its warehouse still open and stay).
 */
const SETTINGS_SPREAD = '2 seconds';
/** The second look, for an order routed to the warehouse just before the save or with a network not yet looked up again. */
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
  if (!patched('outage-sweeps-after-settings-spread')) {
    await sweep();
    return { signalled };
  }
  await sleep(SETTINGS_SPREAD);
  await sweep();
  await sleep(SECOND_SWEEP_AFTER);
  await sweep();
  return { signalled };
}
