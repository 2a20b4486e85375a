/**
 * Where activities reach a warehouse or a drop-ship supplier, read when a message is sent (operations edit the network
 * and supplier accounts at run time): one reading for pick lists, supplier pushes, returns and notices.
 */
import type { ActivityDeps } from './deps';

/** Builds the look-ups over the process's stores and partners. */
export function createLocations({ stores, partners }: Pick<ActivityDeps, 'stores' | 'partners'>) {
  return {
    /** A warehouse of the network in force, or undefined when the network has none by that id. */
    async warehouse(warehouseId: string) {
      return (await stores.network.latest()).body.warehouses.find((w) => w.id === warehouseId);
    },
    /** A supplier's order webhook and its contact's notice target, from its account; either may be missing. */
    async supplier(supplierId: string) {
      const profile = await stores.accounts.supplierProfile(supplierId);
      return {
        profile,
        orders: profile?.webhookUrl ? partners.webhook({ url: profile.webhookUrl }) : undefined,
        notices: profile?.notify ? partners.webhook({ url: profile.notify.url }) : undefined,
      };
    },
  };
}
