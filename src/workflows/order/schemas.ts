/**
 * The order messages' schemas, loaded when a message first needs one. The SDK evaluates a workflow's modules again
 * for every workflow it creates, and building schemas with zod (the library included) cost about 30 ms of worker CPU
 * per order; this way the pre-lock path (intake, payment, reservation, dispatch) loads no zod at all, and an order
 * pays for its schemas once, when its first message other than the intake event arrives.
 */
import type * as OrderEvents from '../../domain/orderEvents';
import type * as Returns from '../../domain/returns';
import type * as ShipmentReports from '../../domain/shipmentReports';
import type * as Supplier from '../../domain/supplier';

let orderEvents: typeof OrderEvents | undefined;
let shipmentReports: typeof ShipmentReports | undefined;
let supplier: typeof Supplier | undefined;
let returns: typeof Returns | undefined;

// A require inside a function is how the bundle defers a module: an import would evaluate it for every workflow.
/* eslint-disable @typescript-eslint/no-require-imports */

/** The schemas of channel events, reviews, cancellations, address changes and returns. */
export function orderMessageSchemas(): typeof OrderEvents {
  orderEvents ??= require('../../domain/orderEvents') as typeof OrderEvents;
  return orderEvents;
}

/** The schema of shipment progress reports. */
export function shipmentReportSchemas(): typeof ShipmentReports {
  shipmentReports ??= require('../../domain/shipmentReports') as typeof ShipmentReports;
  return shipmentReports;
}

/** The schema of supplier actions (accept, reject, ship). */
export function supplierSchemas(): typeof Supplier {
  supplier ??= require('../../domain/supplier') as typeof Supplier;
  return supplier;
}

/** The returns domain: request and inspection schemas, the automatic check (RF-1) and what an inspection refunds. */
export function returnSchemas(): typeof Returns {
  returns ??= require('../../domain/returns') as typeof Returns;
  return returns;
}
