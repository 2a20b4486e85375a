/** Configuration is read from the environment once and a bad value names its variable. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config';

test('defaults give a working local configuration', () => {
  const config = loadConfig({});
  assert.equal(config.TEMPORAL_ADDRESS, '127.0.0.1:7233');
  assert.equal(config.API_PORT, 3000);
  assert.deepEqual(config.CHANNEL_SECRETS, {});
});

test('a bad value stops start-up with a message naming the variable', () => {
  assert.throws(
    () => loadConfig({ API_PORT: 'eighty' }),
    (error: unknown) => error instanceof ConfigError && /API_PORT/.test(error.message),
  );
  assert.throws(() => loadConfig({ MONGODB_URI: 'postgres://x' }), /MONGODB_URI/);
  assert.throws(() => loadConfig({ TEMPORAL_ADDRESS: 'localhost' }), /TEMPORAL_ADDRESS: expected host:port/);
  assert.throws(
    () => loadConfig({ LOG_LEVEL: 'loud', WORKER_MAX_CONCURRENT_ACTIVITIES: '0' }),
    /LOG_LEVEL.*WORKER_MAX_CONCURRENT_ACTIVITIES/,
  );
});

test('key lists are parsed into name → secret maps, and malformed pairs are refused', () => {
  assert.deepEqual(loadConfig({ CHANNEL_SECRETS: 'tmall:s1, jd:s2' }).CHANNEL_SECRETS, { tmall: 's1', jd: 's2' });
  assert.throws(() => loadConfig({ OPS_API_KEYS: 'justakey' }), /OPS_API_KEYS/);
});

test('production refuses the development operations key and signing secret', () => {
  const partners = JSON.stringify({ signingSecrets: [`whsec_${Buffer.from('a production signing secret, 32+').toString('base64')}`] });
  assert.throws(() => loadConfig({ NODE_ENV: 'production', PARTNERS: partners }), /OPS_API_KEYS/);
  assert.throws(() => loadConfig({ NODE_ENV: 'production', OPS_API_KEYS: 'ops:a-long-secret-key' }), /PARTNERS\.signingSecrets/);
  assert.equal(loadConfig({ NODE_ENV: 'production', OPS_API_KEYS: 'ops:a-long-secret-key', PARTNERS: partners }).NODE_ENV, 'production');
});

test('partner configuration is JSON validated field by field, with a clear message', () => {
  assert.throws(() => loadConfig({ PARTNERS: '{not json' }), /PARTNERS: expected JSON/);
  assert.throws(() => loadConfig({ PARTNERS: JSON.stringify({ signingSecrets: ['plain'] }) }), /PARTNERS\.signingSecrets\.0/);
  const channels = { tmall: { adapter: 'carrier-pigeon', url: 'http://x' } };
  assert.throws(
    () => loadConfig({ PARTNERS: JSON.stringify({ signingSecrets: [`whsec_${'A'.repeat(44)}`], channels }) }),
    /PARTNERS\.channels\.tmall/,
  );
});
