/**
 * The order messages' schemas, loaded when a message first needs one. The SDK evaluates a workflow's modules again
 * for every workflow it creates, and building the order schemas with zod cost about 30 ms of worker CPU per order;
 * most orders only ever receive shipment reports, which come from the small shipmentReports module.
 */
import type * as OrderEvents from '../../domain/orderEvents';

let loaded: typeof OrderEvents | undefined;

/** The schemas of channel events, reviews, cancellations, address changes and returns. */
export function orderMessageSchemas(): typeof OrderEvents {
  // A require inside a function is how the bundle defers a module: an import would evaluate it for every workflow.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('../../domain/orderEvents') as typeof OrderEvents;
  return loaded;
}
