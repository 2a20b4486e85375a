/** The express application: security headers, rate limit, JSON bodies, the endpoints, Prometheus metrics and the one error shape. */
import express from 'express';
import rateLimit from 'express-rate-limit';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Config } from '../config';
import type { Database } from '../db/connection';
import { createStores, type Stores } from '../db/stores';
import type { Logger } from '../logging';
import { metricsContentType, metricsText } from '../metrics/registry';
import type { Accounts } from '../db/accounts';
import { requireChannelSignature, requireKey, type Access, type AuthedRequest, type KeyRing } from './auth';
import { errorHandler, HttpError, notFound } from './errors';
import { buildOpenApi } from './openapi';
import { stoppedWarehouses } from '../domain/routing/warehouses';
import { escalationAudience } from '../domain/escalation';
import { createOrderAccess } from './orderAccess';
import { Api } from './route';
import { channelRoutes, eventsWebhookPath, measureWebhookAcks } from './routes/channels';
import { fulfilmentRoutes } from './routes/fulfilment';
import { returnRoutes } from './routes/returns';
import { healthRoutes } from './routes/health';
import { accountRoutes } from './routes/operations/accounts';
import { inventoryRoutes } from './routes/operations/inventory';
import { orderRoutes } from './routes/operations/orders';
import { deliveryRoutes } from './routes/operations/deliveries';
import { financeRoutes } from './routes/operations/finance';
import { routingRoutes } from './routes/operations/routing';
import { settingsRoutes } from './routes/operations/settings';
import { supplierRoutes } from './routes/suppliers';
import { createWorkerPresence } from './workerPresence';
import { createWorkflowClient } from './workflowClient';
import { traceRequests } from '../tracing/requests';

/** What the API needs. */
export interface ApiDeps {
  config: Config;
  temporal: Client;
  db: Database;
  logger: Logger;
  /** The process's stores when a worker shares the process (one set per process: they cache settings and keys); else its own. */
  stores?: Stores;
}

/** Builds the application. */
export function createApp({ config, temporal, db, logger, stores = createStores(db) }: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 1);
  // Ahead even of the acknowledgement timer: a request's span covers all of it and is active in every handler.
  app.use(traceRequests());
  // First, so an acknowledgement's time covers parsing, signature and validation, and refusals are counted too.
  app.post(eventsWebhookPath, measureWebhookAcks);
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use(
    rateLimit({
      windowMs: 60_000,
      limit: config.RATE_LIMIT_PER_MINUTE,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, _res, next) => next(new HttpError(429, 'RATE_LIMITED', 'too many requests; slow down')),
    }),
  );
  // The raw body is kept: webhook signatures are computed over the exact bytes received.
  app.use(
    express.json({
      limit: '1mb',
      verify: (req, _res, buf) => {
        (req as AuthedRequest).rawBody = buf;
      },
    }),
  );

  const router = express.Router();
  const api = new Api(router, guardFor(config, stores.accounts, logger));
  const workflows = createWorkflowClient(temporal, config.TEMPORAL_TASK_QUEUE);
  const orders = createOrderAccess(workflows, stores.orders);
  const workers = createWorkerPresence((recentMs) => workflows.workersPolling(recentMs));
  healthRoutes(api, {
    workers,
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
  orderRoutes(api, orders, stores.orders);
  // Disabling or pausing a warehouse moves its unpicked orders elsewhere (RT-4).
  settingsRoutes(
    api,
    stores,
    (previous, saved) =>
      workflows.startWarehouseOutages(stoppedWarehouses(previous.body, saved.body, saved.version), saved.version, saved.actor),
    // A new escalation policy reaches orders already waiting: a rollout tells each running order it concerns.
    (previous, saved) => workflows.startEscalationRollout(saved.version, escalationAudience(previous.body, saved.body)),
  );
  inventoryRoutes(api, stores);
  routingRoutes(api, stores);
  accountRoutes(api, stores.accounts);
  fulfilmentRoutes(api, orders);
  supplierRoutes(api, orders, stores.orders);
  deliveryRoutes(api, orders, stores.deliveries);
  financeRoutes(api, stores);
  returnRoutes(api, orders, workflows, stores.returns);

  // Prometheus scrapes text, not JSON, so /metrics is served beside the Api and only documented through its registry.
  api.registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics of this API process: the hub metrics it records, whether workers poll, Node defaults',
    tags: ['health'],
    security: [],
    responses: { 200: { description: 'text exposition format', content: { 'text/plain': { schema: z.string() } } } },
  });
  app.get('/metrics', async (_req, res) => {
    await workers(); // refreshes orderhub_workers_polling
    res.type(metricsContentType).send(await metricsText());
  });

  const openApi = buildOpenApi(api.registry, config.PUBLIC_BASE_URL);
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openApi, { customSiteTitle: 'Order Hub API' }));
  app.use(router);
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}

/**
 * The middleware that admits an endpoint's callers: channels by signature, every other party by its own key
 * (operations keys from the configuration, warehouses', suppliers' and carriers' from their accounts).
 */
function guardFor(config: Config, accounts: Accounts, logger: Logger): (access: Access) => express.RequestHandler[] {
  const keys: KeyRing = {
    operations: config.OPS_API_KEYS,
    accounts,
    onRecordError: (err) => logger.warn({ err }, "could not record a key's last use"),
  };
  const channel = requireChannelSignature(config.CHANNEL_SECRETS);
  return (access) => (access === 'public' ? [] : access.includes('channel') ? [channel] : [requireKey(keys, access)]);
}
