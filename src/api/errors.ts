/** The one HTTP error shape, and the mapping from every failure to a status code. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import {
  isGrpcServiceError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { isDatabaseUnreachable } from '../db/connection';
import { z } from 'zod';
import { isOrderFailureCode, orderFailures, type FailureKind } from '../domain/failures';
import type { Logger } from '../logging';

/** Body of every 4xx/5xx answer. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().describe('machine-readable, e.g. VALIDATION, NOT_FOUND, ALREADY_SHIPPED'),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
/** An error body. */
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** An error with its HTTP status and machine-readable code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Array<{ path: string; message: string }>,
  ) {
    super(message);
  }
}

/** The HTTP status of each kind of workflow refusal (the codes themselves live in the domain's failure table). */
const statusOfKind: Record<FailureKind, number> = { invalid: 400, notFound: 404, conflict: 409, unprocessable: 422 };

/** Turns a zod error into the details list: one entry per wrong field path. */
export function zodDetails(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message }));
}

/** Parses a value with a schema or answers 400 with the wrong field paths. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, what = 'request'): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, 'VALIDATION', `invalid ${what}`, zodDetails(parsed.error));
  return parsed.data;
}

function fromWorkflowFailure(error: unknown): HttpError | undefined {
  const cause = error instanceof WorkflowUpdateFailedError ? error.cause : undefined;
  if (!(cause instanceof ApplicationFailure) || !cause.type) return undefined;
  if (!isOrderFailureCode(cause.type)) return undefined;
  const status = statusOfKind[orderFailures[cause.type]];
  const details =
    cause.type === 'VALIDATION' && Array.isArray(cause.details?.[0]) ? (cause.details[0] as ErrorBody['error']['details']) : undefined;
  return new HttpError(status, cause.type, cause.message, details);
}

/** Seconds a caller is asked to wait when the database or Temporal cannot be reached: a passing outage, as /readyz says too. */
const RETRY_AFTER_SECONDS = 5;

/** gRPC codes of a Temporal that is away, overloaded or too slow to answer: UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED. */
const TRANSIENT_GRPC_CODES: readonly number[] = [14, 4, 8];

/** The gRPC status behind an error of the Temporal client (as thrown, or wrapped in its ServiceError), if there is one. */
export function grpcStatusOf(error: unknown): { code: number; details: string } | undefined {
  const grpc = error instanceof ServiceError ? error.cause : error;
  return isGrpcServiceError(grpc) ? { code: grpc.code, details: grpc.details } : undefined;
}

/** True when Temporal could not be reached or did not answer in time (the client's own retries spent): not the caller's fault. */
export function isTemporalUnavailable(error: unknown): boolean {
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  const status = grpcStatusOf(error);
  return status !== undefined && TRANSIENT_GRPC_CODES.includes(status.code);
}

/** Maps any error to the JSON error shape; only failures of ours become 5xx, and those are logged. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    let http: HttpError | undefined = error instanceof HttpError ? error : fromWorkflowFailure(error);
    if (!http && error instanceof WorkflowNotFoundError) http = new HttpError(404, 'NOT_FOUND', 'no such order');
    if (!http && error instanceof WorkflowExecutionAlreadyStartedError)
      http = new HttpError(409, 'CONFLICT', 'the order workflow already exists');
    if (!http && typeof error?.status === 'number' && error.status >= 400 && error.status < 500) {
      // body-parser errors: malformed JSON, payload too large, unsupported encoding.
      http = new HttpError(
        error.status,
        error.type === 'entity.parse.failed'
          ? 'MALFORMED_JSON'
          : String(error.type ?? 'BAD_REQUEST')
              .toUpperCase()
              .replace(/\W/g, '_'),
        error.expose ? error.message : 'bad request',
      );
    }
    if (!http && isDatabaseUnreachable(error)) {
      logger.warn({ error: String(error?.message), method: req.method, path: req.path }, 'database unreachable: answered 503');
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      http = new HttpError(503, 'DATABASE_UNAVAILABLE', 'the database cannot be reached right now; try again shortly');
    }
    if (!http && isTemporalUnavailable(error)) {
      logger.warn({ error: String(error?.message), method: req.method, path: req.path }, 'Temporal unavailable: answered 503');
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      // A report may have been taken before the answer was lost: the same Idempotency-Key makes the retry safe.
      http = new HttpError(
        503,
        'TEMPORAL_UNAVAILABLE',
        'the order service did not answer in time; retry shortly with the same Idempotency-Key',
      );
    }
    if (!http) {
      logger.error({ err: error, method: req.method, path: req.path }, 'unhandled error');
      http = new HttpError(500, 'INTERNAL', 'internal error');
    }
    const body: ErrorBody = { error: { code: http.code, message: http.message, ...(http.details ? { details: http.details } : {}) } };
    res.status(http.status).json(body);
  };
}

/** Answers 404 in the error shape for unknown routes. */
export const notFound: RequestHandler = (req, _res, next) => next(new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${req.path}`));
