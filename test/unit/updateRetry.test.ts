/** An update Temporal aborted with its workflow task is sent again; every other failure reaches the caller at once. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ServiceError } from '@temporalio/client';
import { isAbortedWithWorkflowTask, sendUpdate } from '../../src/api/updateRetry';

/** A gRPC error as @grpc/grpc-js shapes it, wrapped as the Temporal client throws it. */
function serviceError(code: number, details: string): ServiceError {
  const cause = Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
  return new ServiceError('Workflow Update failed', { cause });
}

const aborted = () => serviceError(9, 'Unable to perform workflow execution update due to unexpected workflow task failure.');

describe('sending an update again after Temporal aborted it', () => {
  test('only the abort that came with a failed workflow task counts', () => {
    assert.equal(isAbortedWithWorkflowTask(aborted()), true);
    assert.equal(isAbortedWithWorkflowTask(serviceError(9, 'namespace is not active')), false);
    assert.equal(isAbortedWithWorkflowTask(serviceError(14, 'workflow task failure')), false);
    assert.equal(isAbortedWithWorkflowTask(new Error('workflow task failure')), false);
  });

  test('an aborted update is sent again and its answer returned', async () => {
    let calls = 0;
    const answer = await sendUpdate(async () => {
      calls += 1;
      if (calls === 1) throw aborted();
      return 'applied';
    });
    assert.deepEqual([answer, calls], ['applied', 2]);
  });

  test('it gives up after three tries, and any other error is thrown at once', async () => {
    let calls = 0;
    await assert.rejects(
      sendUpdate(async () => {
        calls += 1;
        throw aborted();
      }),
      (error) => isAbortedWithWorkflowTask(error),
    );
    assert.equal(calls, 3);
    calls = 0;
    await assert.rejects(
      sendUpdate(async () => {
        calls += 1;
        throw new TypeError('a bug');
      }),
      TypeError,
    );
    assert.equal(calls, 1);
  });
});
