/**
 * Versioning guard: every recorded lifecycle history (test/fixtures/histories, recorded by the lifecycle
 * integration tests with RECORD_HISTORIES=1) must replay against the current workflow code. A change that
 * would break running orders fails here; wrap it in patched() instead.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DeterminismViolationError } from '@temporalio/workflow';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { workflowTracingModules } from '../../src/tracing/temporal';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const dir = path.join(__dirname, '..', 'fixtures', 'histories');
const histories = readdirSync(dir)
  .filter((f) => f.endsWith('.history.pb'))
  .sort()
  .map((file) => ({
    workflowId: file.replace('.history.pb', ''),
    history: temporal.api.history.v1.History.decode(readFileSync(path.join(dir, file))),
  }));

async function replay(workflowsPath: string) {
  const results: Array<{ workflowId: string; error?: unknown }> = [];
  // With the workflow interceptor every worker runs (it hands each order's trace to its activities).
  const options = { workflowsPath, replayName: 'order-replay', interceptors: { workflowModules: workflowTracingModules } };
  for await (const result of Worker.runReplayHistories(options, histories)) results.push(result);
  return results;
}

test('every recorded lifecycle path replays against the current workflow code', { timeout: 120_000 }, async () => {
  assert.ok(histories.length >= 10, `expected the recorded lifecycle histories, found ${histories.length}`);
  const results = await replay(require.resolve('../../src/workflows'));
  assert.deepEqual(
    results.filter((r) => r.error).map((r) => `${r.workflowId}: ${String(r.error)}`),
    [],
  );
  assert.equal(results.length, histories.length);
});

test('a deliberately non-deterministic change fails the replay of every history', { timeout: 120_000 }, async () => {
  const results = await replay(require.resolve('../fixtures/nondeterministic/workflows'));
  assert.equal(results.length, histories.length);
  for (const result of results) assert.ok(result.error instanceof DeterminismViolationError, `${result.workflowId} replayed without error`);
});
