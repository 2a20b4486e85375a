/** A warehouse's WMS reached over the generic signed webhook: pick lists, their withdrawal, address changes. */
import type { WebhookEndpoint } from '../../config/partners';
import { createWebhookTarget, type WebhookOptions } from './webhook';
import type { WmsAdapter } from './types';

/** Builds the WMS adapter for the endpoint a warehouse's network settings name. */
export function createWmsAdapter(endpoint: WebhookEndpoint, options: WebhookOptions): WmsAdapter {
  const target = createWebhookTarget(endpoint, options);
  // Spread: the contract's interfaces have no index signature, the target's data parameter wants one.
  return {
    sendPickList: (pickList, key) => target.post('pick_list.created', { ...pickList }, key),
    withdrawPickList: (withdrawal, key) => target.post('pick_list.withdrawn', { ...withdrawal }, key),
    sendAddressChange: (change, key) => target.post('shipment.address_changed', { ...change }, key),
  };
}
