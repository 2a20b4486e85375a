/** Small shapes many messages share, kept apart so code that needs only them (the workflow) stays light. */
import { z } from 'zod';

/** An instant with an explicit offset (IN-3): "2026-02-03T12:00:00+08:00" or "...Z". */
export const instantSchema = z.iso.datetime({ offset: true });

/** Who acts on an order: the workflow itself, a channel, the buyer, a reviewer, a warehouse, a supplier. */
export const actorSchema = z.object({
  kind: z.enum(['system', 'channel', 'buyer', 'operations', 'warehouse', 'supplier', 'carrier']),
  id: z.string().trim().min(1).max(64),
});
/** An actor in the audit trail. */
export type Actor = z.infer<typeof actorSchema>;

/**
 * The reporter's id for one report (its Idempotency-Key): a retried report is taken once, also after the order
 * continued in a new run, where Temporal's own update-id dedupe no longer reaches.
 */
export const reportIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, '1-128 letters, digits, _ . : -');
