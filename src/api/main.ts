/** API process entry point: validated config, tracing, database, Temporal client, HTTP server, clean shutdown. */
import { Client, Connection } from '@temporalio/client';
import { ConfigError, loadConfig } from '../config';
import { connectDatabase } from '../db/connection';
import { createLogger } from '../logging';
import { startTracing } from '../tracing';
import { tracingClientInterceptors } from '../tracing/temporal';
import { createApp } from './app';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'api');
  // Before the server and the client exist: their spans need the provider and the context manager in place.
  const tracing = startTracing({ serviceName: 'order-hub-api', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const db = await connectDatabase(config.MONGODB_URI, { ferretdbPostgresqlUrl: config.FERRETDB_POSTGRESQL_URL });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: tracingClientInterceptors(tracing) });
  const app = createApp({ config, temporal, db, logger });
  const server = app.listen(config.API_PORT, config.API_HOST, () =>
    logger.info({ host: config.API_HOST, port: config.API_PORT, tracing: tracing.enabled }, 'api listening'),
  );
  const stop = () => {
    logger.info('api stopping');
    server.close(() => void Promise.all([connection.close(), db.close(), tracing.shutdown()]).then(() => process.exit(0)));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
