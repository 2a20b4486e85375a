/** The express application: security headers, rate limit, JSON bodies, the endpoints and the one error shape. */
import express from 'express';
import rateLimit from 'express-rate-limit';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Database } from '../db/connection';
import { createStores } from '../db/stores';
import type { Logger } from '../logging';
import { requireChannelSignature, requireOperations, type AuthedRequest } from './auth';
import { errorHandler, HttpError, notFound } from './errors';
import { buildOpenApi } from './openapi';
import { createOrderWorkflows } from './orderWorkflows';
import { Api } from './route';
import { channelRoutes } from './routes/channels';
import { healthRoutes } from './routes/health';
import { inventoryRoutes } from './routes/inventory';
import { orderRoutes } from './routes/orders';
import { routingRoutes } from './routes/routing';
import { settingsRoutes } from './routes/settings';
import { shipmentRoutes } from './routes/shipments';

/** What the API needs. */
export interface ApiDeps {
  config: Config;
  temporal: Client;
  db: Database;
  logger: Logger;
}

/** Builds the application. */
export function createApp({ config, temporal, db, logger }: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 1);
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use(rateLimit({
    windowMs: 60_000, limit: config.RATE_LIMIT_PER_MINUTE, standardHeaders: 'draft-8', legacyHeaders: false,
    handler: (_req, _res, next) => next(new HttpError(429, 'RATE_LIMITED', 'too many requests; slow down')),
  }));
  // The raw body is kept: webhook signatures are computed over the exact bytes received.
  app.use(express.json({ limit: '1mb', verify: (req, _res, buf) => { (req as AuthedRequest).rawBody = buf; } }));

  const router = express.Router();
  const api = new Api(router, {
    public: [],
    operations: [requireOperations(config.OPS_API_KEYS)],
    channel: [requireChannelSignature(config.CHANNEL_SECRETS)],
  });
  const orders = createOrderWorkflows(temporal, db, config.TEMPORAL_TASK_QUEUE);
  const stores = createStores(db);
  healthRoutes(api, {
    database: () => db.ping(),
    temporal: async () => {
      try {
        await temporal.connection.withDeadline(Date.now() + 2_000, () => temporal.workflowService.getSystemInfo({}));
        return true;
      } catch {
        return false;
      }
    },
  });
  channelRoutes(api, orders);
  orderRoutes(api, orders, db);
  settingsRoutes(api, stores, (previous, saved) => orders.startOutages(previous, saved));
  inventoryRoutes(api, db, stores);
  routingRoutes(api, { db, stores });
  shipmentRoutes(api, orders);

  const openApi = buildOpenApi(api.registry, config.PUBLIC_BASE_URL);
  app.get('/openapi.json', (_req, res) => { res.json(openApi); });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openApi, { customSiteTitle: 'Order Hub API' }));
  app.use(router);
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
