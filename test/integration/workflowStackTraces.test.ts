/**
 * Worker processes start with src/worker/workflowStackTraces.cjs: the SDK's per-promise stack capture is off unless
 * WORKFLOW_STACK_TRACES=on, and the Web UI's stack trace query says so. Fails when an SDK upgrade moves what the preload
 * turns off (the query would then answer with a stack).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { NodeProcess } from '../../scripts/lib/benchSupport';
import { orderWorkflowId } from '../../src/domain/ids';
import { makeOrder } from '../fixtures/orders';
import { seedHub } from '../fixtures/network';
import { startHarness, type Harness } from './harness';
import { lifecycle } from './lifecycleSupport';
import { startHubWorker } from './workerProcess';

describe('workflow stack traces in worker processes', () => {
  let hub: Harness;
  let steps: ReturnType<typeof lifecycle>;
  const workers: NodeProcess[] = [];
  const logs = mkdtempSync(path.join(os.tmpdir(), 'orderhub-stack-traces-'));

  /** An unpaid order, waiting for its payment on the one running worker; the Web UI's stack trace query for it. */
  const stackTraceOfWaitingOrder = async (): Promise<unknown> => {
    const orderId = await steps.submit(makeOrder({ brand: 'traceco' }));
    await steps.waitFor(orderId, 'AWAITING_PAYMENT');
    return hub.client.workflow.getHandle(orderWorkflowId(orderId)).query('__stack_trace');
  };

  before(async () => {
    hub = await startHarness('stack-traces', {}, { worker: false });
    steps = lifecycle(hub);
    await seedHub(hub, { stock: {}, policy: { returnWindowSeconds: 3600 } });
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await hub?.stop();
  });

  test('are off by default: the query says they are not enabled', async () => {
    workers.push(startHubWorker(hub, logs, 'worker-default'));
    await assert.rejects(stackTraceOfWaitingOrder(), /stack traces are not enabled/);
    await workers[0]!.stop();
  });

  test('WORKFLOW_STACK_TRACES=on keeps them: the query shows where the workflow waits', async () => {
    workers.push(startHubWorker(hub, logs, 'worker-on', { WORKFLOW_STACK_TRACES: 'on' }));
    const trace = await stackTraceOfWaitingOrder();
    assert.equal(typeof trace, 'string');
    assert.match(trace as string, /at .*waitFor/, 'the stack names the order waiting for its payment');
  });
});
