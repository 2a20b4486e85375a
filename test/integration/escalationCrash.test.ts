/**
 * The same escalation level never notifies twice, even when the worker process is killed between the timer firing and
 * the notice being sent: a new worker replays the fired timer, finds the notice already scheduled, and sends it once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { NodeProcess } from '../../scripts/lib/benchSupport';
import { makeOrder, paid } from '../fixtures/orders';
import { seedHub } from '../fixtures/network';
import { eventually, startHarness, type Harness } from './harness';
import { lifecycle } from './lifecycleSupport';
import { startHubWorker } from './workerProcess';

describe('a worker killed between an escalation timer and its notice', () => {
  let hub: Harness;
  let steps: ReturnType<typeof lifecycle>;
  const workers: NodeProcess[] = [];
  const logs = mkdtempSync(path.join(os.tmpdir(), 'orderhub-escalation-crash-'));

  /** Starts a worker in its own process, as production runs it. */
  const startWorker = () => {
    const worker = startHubWorker(hub, logs, `worker-${workers.length + 1}`);
    workers.push(worker);
    return worker;
  };

  before(async () => {
    hub = await startHarness('escalation-crash', {}, { worker: false });
    steps = lifecycle(hub);
    await seedHub(hub, { stock: {}, policy: { returnWindowSeconds: 3600 } });
    const policy = { base: {}, overrides: [{ id: 'held-fast', brand: 'crashco', settings: { es1: { after: '1s' } } }] };
    assert.equal((await hub.ops('PUT', '/v1/settings/escalation-policy', { body: policy })).status, 200);
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await hub?.stop();
  });

  test('the supervisor is told once, and the level fired once', async () => {
    const first = startWorker();
    const robot = hub.partners.wecom.supervisor;
    // The first send never gets an answer: the worker is killed while it waits.
    robot.server.script('/', { hang: true });
    // Nothing in stock: the paid order is held and nobody assigns it (ES-1 after 1 s).
    const orderId = await steps.submit(paid(makeOrder({ brand: 'crashco' })));
    await eventually(async () => (robot.server.received.length > 0 ? true : undefined), 'the notice to reach the robot', 60_000);
    process.kill(first.pid, 'SIGKILL');
    await eventually(async () => (first.running() ? undefined : true), 'the worker to die');
    assert.equal(robot.messages().length, 0, 'nothing was shown yet');

    startWorker();
    // The send on the dead worker times out (20 s) and is retried on the new one, under the same key.
    const shown = await eventually(
      async () => {
        const messages = robot.messages().filter((m) => `${m.title ?? ''}${m.content}`.includes(orderId));
        return messages.length > 0 ? messages : undefined;
      },
      'the notice on the new worker',
      90_000,
    );
    assert.equal(shown.length, 1, 'shown once');
    const view = await steps.read(orderId);
    assert.deepEqual(
      (view.escalations ?? []).map((e) => e.level),
      ['ES-1'],
      'the level fired once, through the restart',
    );
    const notices = (await hub.ops('GET', `/v1/orders/${orderId}/deliveries`)).body.deliveries.filter(
      (d: { kind: string }) => d.kind === 'escalation ES-1',
    );
    assert.deepEqual(
      notices.map((d: { state: string }) => d.state),
      ['delivered'],
    );
  });
});
