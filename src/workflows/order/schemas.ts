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

/** A module loaded on first use and kept: each `require` below stays literal, so the bundler still sees it. */
function lazily<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}

// A require inside a function is how the bundle defers a module: an import would evaluate it for every workflow.
/* eslint-disable @typescript-eslint/no-require-imports */

/** The schemas of channel events, reviews, cancellations and address changes. */
export const orderMessageSchemas = lazily(() => require('../../domain/orderEvents') as typeof OrderEvents);

/** The schema of shipment progress reports. */
export const shipmentReportSchemas = lazily(() => require('../../domain/shipmentReports') as typeof ShipmentReports);

/** The schema of supplier actions (accept, reject, ship). */
export const supplierSchemas = lazily(() => require('../../domain/supplier') as typeof Supplier);

/** The returns domain: request and inspection schemas, the automatic check (RF-1) and what an inspection refunds. */
export const returnSchemas = lazily(() => require('../../domain/returns') as typeof Returns);
