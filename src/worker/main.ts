/** Worker process entry point: validated config, tracing, metrics endpoints, database, Temporal connection, graceful shutdown on signals. */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../config';
import { connectDatabase } from '../db/connection';
import { createStores } from '../db/stores';
import { createLogger } from '../logging';
import { startTracing } from '../tracing';
import { serveMetrics, sdkTelemetry } from './metrics';
import { createOrderWorker } from './worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'worker');
  // The SDK's own log (bundling, state changes) only at warn unless debugging.
  const sdkLevel = config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN';
  Runtime.install({ logger: new DefaultLogger(sdkLevel), shutdownSignals: ['SIGINT', 'SIGTERM'], telemetryOptions: sdkTelemetry(config) });
  const tracing = startTracing({ serviceName: 'order-hub-worker', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const metrics = config.WORKER_METRICS_PORT > 0 ? await serveMetrics(config.WORKER_METRICS_HOST, config.WORKER_METRICS_PORT) : undefined;
  const db = await connectDatabase(config.MONGODB_URI, { ferretdbPostgresqlUrl: config.FERRETDB_POSTGRESQL_URL });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const bundlePath = config.WORKFLOW_BUNDLE_PATH;
  const source = bundlePath ? { workflowBundle: { codePath: bundlePath } } : undefined;
  const worker = await createOrderWorker(config, connection, { stores: createStores(db), logger }, source, tracing);
  const sdkMetrics = config.WORKER_SDK_METRICS_PORT > 0 ? `${config.WORKER_METRICS_HOST}:${config.WORKER_SDK_METRICS_PORT}` : undefined;
  // Without the preload the SDK keeps its stack traces whatever WORKFLOW_STACK_TRACES says (src/worker/workflowStackTraces.cjs).
  const preloaded = (globalThis as Record<symbol, unknown>)[Symbol.for('orderhub.workflowStackTraces.preloaded')] === true;
  const stackTraces = preloaded ? config.WORKFLOW_STACK_TRACES : 'on';
  if (stackTraces !== config.WORKFLOW_STACK_TRACES)
    logger.warn('WORKFLOW_STACK_TRACES=off needs the preload: node --require ./dist/src/worker/workflowStackTraces.cjs');
  logger.info(
    { taskQueue: config.TEMPORAL_TASK_QUEUE, metrics: metrics?.url, sdkMetrics, tracing: tracing.enabled, stackTraces },
    'worker running',
  );
  await worker.run();
  metrics?.server.close();
  await Promise.all([connection.close(), db.close(), tracing.shutdown()]);
  logger.info('worker stopped');
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
