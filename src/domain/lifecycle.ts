/** Facts about the lifecycle the workflow checks often, without zod: a workflow's modules are evaluated per order. */
import type { OrderStatus } from './status';

/** Statuses after which nothing can be cancelled any more. */
export const shippedStatuses: readonly OrderStatus[] = ['SHIPPED', 'DELIVERED', 'COMPLETED'];
