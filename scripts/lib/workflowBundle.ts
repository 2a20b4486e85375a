/**
 * The hub's workflow bundle, built once per run for workers that take a prebuilt bundle (tests, bench, drills), with
 * exactly what a worker bundling from source includes: the interceptor that hands each order's trace to its activities.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowTracingModules } from '../../src/tracing/temporal';
import { sharedWorkflowModules } from '../../src/worker/workflowBundle';

/** Webpack's chatter is dropped; its warnings and errors are kept. */
const quietLogger = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} };

/** Bundles the workflows into `<dir>/workflow-bundle.js` and returns its path. */
export async function writeWorkflowBundle(dir: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    workflowInterceptorModules: workflowTracingModules,
    preloadModules: sharedWorkflowModules,
    logger: quietLogger,
  });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  return bundlePath;
}
