import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { configSchema } from '../../src/config';
import { orderSearchAttributes } from '../../src/domain/searchAttributes';

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: string[];
}

const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
// Compose resolves `<<` merge keys, so the test must too.
const { services } = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const appServices = ['api', 'worker'];
const cliTypeNames: Record<string, string> = {
  KEYWORD: 'Keyword',
  KEYWORD_LIST: 'KeywordList',
  INT: 'Int',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  TEXT: 'Text',
  DOUBLE: 'Double',
};
// What an operator sets in production; everything else must come from the compose defaults.
const hostEnv: Record<string, string> = {
  OPS_API_KEYS: 'ops:secret-key',
  CHANNEL_SECRETS: 'shop:secret',
  PARTNERS: JSON.stringify({ signingSecrets: [`whsec_${Buffer.from('a production signing secret, 32+').toString('base64')}`] }),
};

function service(name: string): Service {
  const found = services[name];
  assert.ok(found, `docker-compose.yml has no ${name} service`);
  return found;
}

/** Applies compose interpolation: ${VAR}, ${VAR:-default} and ${VAR:?error}. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_match, name: string, operator?: string, argument = '') => {
    const set = vars[name];
    if (set !== undefined && set !== '') return set;
    if (operator === '?') throw new Error(`${name}: ${argument}`);
    return operator === '-' ? argument : '';
  });
}

function environment(name: string, vars = hostEnv): Record<string, string> {
  const raw = service(name).environment ?? {};
  const pairs = Array.isArray(raw)
    ? raw.map((entry) => (entry.includes('=') ? [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] : [entry, '']))
    : Object.entries(raw).map(([key, value]) => [key, String(value ?? '')]);
  return Object.fromEntries(pairs.map(([key, value]) => [key, interpolate(value as string, vars)]));
}

function dependencies(name: string): Record<string, string> {
  const raw = service(name).depends_on ?? [];
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((dependency) => [dependency, 'service_started']));
  return Object.fromEntries(Object.entries(raw).map(([dependency, { condition }]) => [dependency, condition ?? 'service_started']));
}

const words = (command: string | string[] = []) => (Array.isArray(command) ? command : command.split(/\s+/));
const scriptFile = (command: string | string[] | undefined) => words(command).find((word) => word.endsWith('.js'));

test('the stack defines every service Order Hub needs, each with an image or a build', () => {
  for (const name of ['mongo', 'postgresql', 'temporal', 'temporal-admin-tools', 'temporal-ui', 'api', 'worker']) {
    const { image, build } = service(name);
    assert.ok(image ?? build, `${name} has neither image nor build`);
  }
});

test('api and worker reach MongoDB through the mongo service, as the replica set mongo runs, once it is healthy', () => {
  const replicaSet = words(service('mongo').command)[words(service('mongo').command).indexOf('--replSet') + 1];
  for (const name of appServices) {
    const uri = new URL(environment(name).MONGODB_URI ?? '');
    assert.equal(uri.hostname, 'mongo', `${name} MONGODB_URI host`);
    assert.equal(uri.searchParams.get('replicaSet'), replicaSet, `${name} MONGODB_URI replicaSet`);
    assert.equal(dependencies(name).mongo, 'service_healthy', `${name} waits for mongo`);
  }
});

test('api and worker reach Temporal through the temporal service after search attributes are registered', () => {
  for (const name of appServices) {
    const [host, port] = (environment(name).TEMPORAL_ADDRESS ?? '').split(':');
    assert.equal(host, 'temporal', `${name} TEMPORAL_ADDRESS host`);
    assert.equal(port, '7233', `${name} TEMPORAL_ADDRESS port`);
    assert.ok(dependencies(name).temporal, `${name} depends on temporal`);
    assert.equal(dependencies(name)['temporal-admin-tools'], 'service_completed_successfully', `${name} waits for admin-tools`);
  }
});

test('api and worker only set variables the config reads, and their values pass config validation', () => {
  const known = new Set(Object.keys(configSchema.shape));
  for (const name of appServices) {
    const env = environment(name);
    for (const key of Object.keys(env)) assert.ok(known.has(key), `${name} sets ${key}, which src/config does not read`);
    const config = configSchema.parse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')));
    assert.equal(config.NODE_ENV, 'production', `${name} NODE_ENV`);
  }
  assert.equal(environment('api').API_HOST, '0.0.0.0', 'the api listens outside its container');
});

test('the stack refuses to start without ops keys, channel secrets and partners instead of using development defaults', () => {
  for (const name of appServices) {
    for (const secret of ['OPS_API_KEYS', 'CHANNEL_SECRETS', 'PARTNERS']) {
      assert.throws(() => environment(name, { ...hostEnv, [secret]: '' }), new RegExp(secret), `${name} requires ${secret}`);
    }
  }
});

test('admin-tools registers every order search attribute with its type in the namespace the app uses', () => {
  const admin = service('temporal-admin-tools');
  const script = [...words(admin.entrypoint), ...words(admin.command)].join(' ');
  const registered = new Map([...script.matchAll(/--name\s+(\w+)\s+--type\s+(\w+)/g)].map(([, name, type]) => [name, type]));
  for (const key of orderSearchAttributes) {
    assert.equal(registered.get(key.name), cliTypeNames[key.type], `search attribute ${key.name}`);
  }
  const addresses = [...script.matchAll(/--address\s+(\S+)/g)].map(([, address]) => address);
  const namespaces = [...script.matchAll(/--namespace\s+(\S+)/g)].map(([, namespace]) => namespace);
  assert.ok(addresses.length > 0 && addresses.every((address) => address === environment('worker').TEMPORAL_ADDRESS));
  assert.ok(namespaces.length > 0 && namespaces.every((namespace) => namespace === environment('worker').TEMPORAL_NAMESPACE));
  assert.ok(dependencies('temporal-admin-tools').temporal, 'admin-tools depends on temporal');
});

test('temporal persists to the postgresql service with its credentials, and the UI links match the published UI', () => {
  const temporal = environment('temporal', {});
  const postgres = environment('postgresql', {});
  assert.ok(temporal.DB?.startsWith('postgres'), 'temporal uses a PostgreSQL store');
  assert.equal(temporal.POSTGRES_SEEDS, 'postgresql');
  assert.equal(temporal.POSTGRES_USER, postgres.POSTGRES_USER);
  assert.equal(temporal.POSTGRES_PWD, postgres.POSTGRES_PASSWORD);
  assert.equal(dependencies('temporal').postgresql, 'service_healthy');
  assert.equal(environment('temporal-ui').TEMPORAL_ADDRESS, environment('api').TEMPORAL_ADDRESS);
  const uiPort = new URL(environment('api').TEMPORAL_UI_URL ?? '').port;
  assert.ok(service('temporal-ui').ports?.includes(`${uiPort}:8080`), `temporal-ui publishes ${uiPort}`);
});

test('the Dockerfile builds one non-root production image that starts the files the compose commands run', () => {
  const dockerfile = read('Dockerfile');
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  assert.equal(scriptFile(service('api').command), scriptFile(scripts['start:api']));
  assert.equal(scriptFile(service('worker').command), scriptFile(scripts['start:worker']));
  // The worker's preload is copied beside the build and required wherever the worker starts (src/worker/workflowStackTraces.cjs).
  for (const command of [service('worker').command, scripts['start:worker']])
    assert.ok(words(command).includes('./dist/src/worker/workflowStackTraces.cjs'), 'the worker starts with its preload');
  assert.match(scripts.build ?? '', /cp src\/worker\/workflowStackTraces\.cjs dist\/src\/worker\//);
  const cmd = JSON.parse(/^CMD\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
  assert.ok(
    appServices.some((name) => scriptFile(service(name).command) === scriptFile(cmd)),
    'Dockerfile CMD runs the api or the worker',
  );
  assert.match(dockerfile, /npm run build/);
  assert.match(dockerfile, /npm ci --omit=dev/);
  assert.match(dockerfile, /NODE_ENV=production/);
  assert.doesNotMatch(/^USER\s+(\S+)/m.exec(dockerfile)?.[1] ?? 'root', /^(root|0)$/, 'runs as a non-root user');
  for (const name of appServices) assert.equal(service(name).build, '.', `${name} is built from this repository`);
});
