/**
 * The Temporal time-skipping test server (the Java SDK's, installed by scripts/run-tests.ts) as a test environment:
 * timers fire as soon as nothing else can happen, so "48 hours pass" takes milliseconds.
 */
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { orderSearchAttributes } from '../../src/domain/searchAttributes';

/**
 * Starts a time-skipping environment with the order's custom search attributes registered. Unlike the dev server,
 * the test server knows only its own Custom*Field attributes and fails a workflow task that upserts any other
 * ("search attribute OrderStatus is not defined"), so they are added through its operator service, which applies
 * them at once (it has no ListSearchAttributes to wait on).
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (!path)
    throw new Error('time-skipping tests run through "npm test" or "npm run test:integration" (missing TEMPORAL_TEST_SERVER_PATH)');
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
  try {
    const searchAttributes = Object.fromEntries(
      orderSearchAttributes.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!]),
    );
    await env.connection.operatorService.addSearchAttributes({ namespace: env.namespace ?? 'default', searchAttributes });
  } catch (error) {
    await env.teardown();
    throw error;
  }
  return env;
}
