/** Worker process entry point: validated config, database, Temporal connection, graceful shutdown on signals. */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../config';
import { connectDatabase } from '../db/connection';
import { createStores } from '../db/stores';
import { createLogger } from '../logging';
import { createOrderWorker } from './worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'worker');
  // The SDK's own log (bundling, state changes) only at warn unless debugging.
  const sdkLevel = config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN';
  Runtime.install({ logger: new DefaultLogger(sdkLevel), shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const db = await connectDatabase(config.MONGODB_URI);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const bundlePath = config.WORKFLOW_BUNDLE_PATH;
  const source = bundlePath ? { workflowBundle: { codePath: bundlePath } } : undefined;
  const worker = await createOrderWorker(config, connection, { stores: createStores(db), logger }, source);
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
  await worker.run();
  await Promise.all([connection.close(), db.close()]);
  logger.info('worker stopped');
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
