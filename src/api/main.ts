/** API process entry point: validated config, database, Temporal client, HTTP server, clean shutdown. */
import { Client, Connection } from '@temporalio/client';
import { ConfigError, loadConfig } from '../config';
import { connectDatabase } from '../db/connection';
import { createLogger } from '../logging';
import { createApp } from './app';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'api');
  const db = await connectDatabase(config.MONGODB_URI, { ferretdbPostgresqlUrl: config.FERRETDB_POSTGRESQL_URL });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const app = createApp({ config, temporal, db, logger });
  const server = app.listen(config.API_PORT, config.API_HOST, () =>
    logger.info({ host: config.API_HOST, port: config.API_PORT }, 'api listening'),
  );
  const stop = () => {
    logger.info('api stopping');
    server.close(() => void Promise.all([connection.close(), db.close()]).then(() => process.exit(0)));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
