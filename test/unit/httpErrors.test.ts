/**
 * The one error mapping of the API: a dependency (Temporal, the database) that is away or too slow answers 503 with Retry-After and a code the
 * caller can act on, never a 500; what the hub cannot explain stays a 500.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { errorHandler } from '../../src/api/errors';
import { createLogger } from '../../src/logging';

/** A gRPC error as @grpc/grpc-js shapes it. */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

const thrown: Record<string, () => unknown> = {
  'update-timeout': () =>
    new WorkflowUpdateRPCTimeoutOrCancelledError('Workflow update call timeout or cancelled', { cause: grpcError(4, 'deadline') }),
  unavailable: () => new ServiceError('Workflow Update failed', { cause: grpcError(14, 'connection refused') }),
  'busy-workflow': () => new ServiceError('Workflow Update failed', { cause: grpcError(8, 'workflow is busy') }),
  'bare-grpc': () => grpcError(4, 'deadline exceeded'),
  'invalid-argument': () => new ServiceError('Workflow Update failed', { cause: grpcError(3, 'bad request') }),
  bug: () => new TypeError('x is undefined'),
  // What the database driver passed on when FerretDB went away under a command (seen in the database-outage drill).
  'socket-ended': () => Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' }),
  'socket-reset': () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
};

describe('the API error mapping', () => {
  let baseUrl = '';
  let close: () => void = () => undefined;

  before(async () => {
    const app = express();
    app.get('/throw/:what', (req, _res, next) => next(thrown[req.params.what]!()));
    app.use(errorHandler(createLogger('silent', 'http-errors-test')));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  after(() => close());

  const answer = async (what: string) => {
    const response = await fetch(`${baseUrl}/throw/${what}`);
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as any };
  };

  /** Each error thrown answers the same status, Retry-After and error code. */
  const expectAnswers = async (whats: string[], expected: { status: number; retryAfter: string | null; code: string }) => {
    for (const what of whats) {
      const { status, retryAfter, body } = await answer(what);
      assert.deepEqual({ status, retryAfter, code: body.error.code }, expected, what);
    }
  };

  test('Temporal away, overloaded or too slow for an update answers 503 TEMPORAL_UNAVAILABLE with Retry-After', () =>
    expectAnswers(['update-timeout', 'unavailable', 'busy-workflow', 'bare-grpc'], {
      status: 503,
      retryAfter: '5',
      code: 'TEMPORAL_UNAVAILABLE',
    }));

  test('a database socket closed under a command answers 503 DATABASE_UNAVAILABLE with Retry-After', () =>
    expectAnswers(['socket-ended', 'socket-reset'], { status: 503, retryAfter: '5', code: 'DATABASE_UNAVAILABLE' }));

  test('a gRPC refusal that is not a passing outage, and a bug, stay 500 INTERNAL without Retry-After', () =>
    expectAnswers(['invalid-argument', 'bug'], { status: 500, retryAfter: null, code: 'INTERNAL' }));
});
