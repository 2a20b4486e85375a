/** Process configuration: every setting comes from the environment and is validated once at start. */
import { z } from 'zod';
import { partnersSchema } from './partners';

const keyList = z.string().transform((value, ctx) => {
  const pairs = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const map: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf(':');
    if (at <= 0 || at === pair.length - 1) {
      ctx.addIssue({ code: 'custom', message: `expected name:secret pairs separated by commas, got "${pair.slice(0, 20)}"` });
      return z.NEVER;
    }
    map[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return map;
});

const DEV_OPS_KEY = 'dev-ops-key';
/** Signs the hub's webhooks when nothing else is configured; production refuses it. */
const DEV_SIGNING_SECRET = 'whsec_ZGV2LW9yZGVyLWh1Yi1zaWduaW5nLXNlY3JldC0x';

/** JSON text parsed and then validated by `schema`. */
const jsonOf = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

/** The environment variables Order Hub reads, with their defaults. */
export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    API_HOST: z.string().min(1).default('127.0.0.1'),
    API_PORT: port.default(3000),
    PUBLIC_BASE_URL: z.url().optional(),
    TEMPORAL_ADDRESS: z
      .string()
      .regex(/^[^\s:]+:\d+$/, 'expected host:port')
      .default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('order-hub'),
    TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233'),
    MONGODB_URI: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'expected a mongodb:// URI')
      .default('mongodb://127.0.0.1:27017/orderhub'),
    /**
     * Set when the database is FerretDB on PostgreSQL (the local stack sets it): the PostgreSQL URL behind it, where
     * GIN indexes serving the schemas' indexed fields are made sure of at start (src/db/ferretIndexes.ts).
     */
    FERRETDB_POSTGRESQL_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
      .optional(),
    /** Operations credentials: `name:key` pairs; the name is recorded in the audit trail. */
    OPS_API_KEYS: keyList.default({ ops: DEV_OPS_KEY }),
    /** Channel webhook secrets: `channel:secret` pairs used to verify intake signatures. */
    CHANNEL_SECRETS: keyList.default({}),
    /**
     * Where outside messages go (src/config/partners.ts): channels, carriers, suppliers, payment providers and
     * operations, as JSON. Warehouses' WMS endpoints are in the network settings.
     */
    PARTNERS: jsonOf(partnersSchema).default(partnersSchema.parse({ signingSecrets: [DEV_SIGNING_SECRET] })),
    /** Delivery activities one worker runs at once (their own task queue: partner calls wait on the network, not the CPU). */
    WORKER_MAX_CONCURRENT_DELIVERIES: positiveInt.default(50),
    WORKER_MAX_CONCURRENT_ACTIVITIES: positiveInt.default(40),
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: positiveInt.default(20),
    WORKER_MAX_CACHED_WORKFLOWS: positiveInt.default(2000),
    /** Where the worker's Prometheus endpoints listen (0.0.0.0 in a container, so Prometheus can reach them). */
    WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    /** The hub's worker metrics (reservations, ledger conflicts, database latency…) at /metrics; 0 turns it off. */
    WORKER_METRICS_PORT: port.default(9464),
    /** The Temporal SDK runtime's own Prometheus exporter (task slots, latencies, polls) at /metrics; 0 turns it off. */
    WORKER_SDK_METRICS_PORT: port.default(9465),
    RATE_LIMIT_PER_MINUTE: positiveInt.default(6000),
    /**
     * The Web UI's Stack Trace tab for this worker's workflows; read by the preload src/worker/workflowStackTraces.cjs,
     * named here so a typo fails at start. Off by default: the SDK captures a stack for every promise to answer it.
     */
    WORKFLOW_STACK_TRACES: z.enum(['on', 'off']).default('off'),
    /** A prebuilt workflow bundle (faster worker start); without it the worker bundles from source. */
    WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
    /**
     * OpenTelemetry tracing (src/tracing): the OTLP/HTTP collector base URL, spans posted to `<url>/v1/traces`. Unset:
     * tracing is off and nothing is registered. The standard name, so collectors' docs apply as written.
     */
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === 'production' && Object.values(config.OPS_API_KEYS).includes(DEV_OPS_KEY)) {
      ctx.addIssue({ code: 'custom', path: ['OPS_API_KEYS'], message: 'must be set to real keys in production' });
    }
    if (config.NODE_ENV === 'production' && config.PARTNERS.signingSecrets.includes(DEV_SIGNING_SECRET)) {
      ctx.addIssue({ code: 'custom', path: ['PARTNERS', 'signingSecrets'], message: 'must be set to real secrets in production' });
    }
  });

/** Validated configuration of one process. */
export type Config = z.infer<typeof configSchema>;

/** Thrown when the environment holds an invalid setting; the message names every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the configuration from an environment (process.env by default). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = configSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`invalid configuration — ${problems.join('; ')}`);
}
