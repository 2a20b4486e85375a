/**
 * Preloaded into every worker process (`node --require`), so it runs in the SDK's workflow threads too: turns off the
 * Temporal SDK's workflow stack traces (the Web UI's "Stack Trace" tab) unless WORKFLOW_STACK_TRACES=on.
 *
 * Why: to answer that query the SDK captures and source-maps a stack for every promise a workflow creates. On the
 * order path that is about 15-25 ms of worker CPU per order (BENCHMARKS.md), for a view operations seldom open: where
 * an order waits is in its search attributes and current details. The SDK runs without the hook where promise hooks
 * are missing (Bun), and then answers the query with "stack traces are not enabled"; this takes the same path.
 * Plain CommonJS because workflow threads load no TypeScript.
 */
'use strict';
const { isMainThread } = require('node:worker_threads');

// The worker's main thread notes that it was started with this preload (src/worker/main.ts says so in its log).
if (isMainThread) globalThis[Symbol.for('orderhub.workflowStackTraces.preloaded')] = true;
else if (process.env.WORKFLOW_STACK_TRACES !== 'on') {
  const { GlobalHandlers } = require('@temporalio/worker/lib/workflow/vm-shared');
  // An SDK that moved this class keeps its stack traces: slower, never broken (test/integration/workflowStackTraces).
  if (typeof GlobalHandlers?.prototype?.setPromiseHook === 'function') {
    GlobalHandlers.prototype.setPromiseHook = function setPromiseHook() {};
  }
}
