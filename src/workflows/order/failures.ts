/** How the order workflow refuses a message or stops its lifecycle. */
import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import type { OrderFailureCode } from '../../domain/failures';

/** Thrown inside the workflow when a cancellation interrupts the lifecycle; compensations follow. */
export class OrderCancelled extends Error {
  override name = 'OrderCancelled';
}

/** Refuses a message with a code from the failure table, which the API maps to its HTTP status. */
export function refuse(code: OrderFailureCode, message: string, details?: unknown[]): never {
  throw ApplicationFailure.create({ type: code, message, details, nonRetryable: true });
}

/** Validates a message with its zod schema, refusing it with the wrong field paths. */
export function validate<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  return refuse('VALIDATION', 'invalid message', [issues]);
}
