/** The local stack itself: readiness follows the database, and state survives a restart (missing search attributes are added). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { freePort, startDatabase, startStack } from '../../scripts/lib/stack';
import { createApp } from '../../src/api/app';
import { loadConfig } from '../../src/config';
import { connectDatabase } from '../../src/db/connection';
import { createLogger } from '../../src/logging';
import { eventually } from './harness';

describe('local stack', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'orderhub-stack-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  describe('readiness', () => {
    let stopDb: () => Promise<void>;
    let mongoPort: number;
    let baseUrl: string;
    let close: () => Promise<void>;
    const options = () => ({
      dataDir: path.join(scratch, 'ready'),
      persistent: true,
      database: 'ready',
      logDir: path.join(scratch, 'logs'),
      mongoPort,
    });

    before(async () => {
      mongoPort = await freePort();
      const db = await startDatabase(options());
      stopDb = db.stop;
      const config = loadConfig({ ...process.env, MONGODB_URI: db.uri, API_PORT: '0' });
      const database = await connectDatabase(config.MONGODB_URI);
      const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
      const app = createApp({ config, temporal: new Client({ connection }), db: database, logger: createLogger('silent', 'stack-test') });
      const server = await new Promise<import('node:http').Server>((resolve) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s));
      });
      baseUrl = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
      close = async () => {
        server.close();
        await connection.close();
        await database.close().catch(() => undefined);
        await stopDb();
      };
    });
    after(async () => {
      await close?.();
    });

    test('/readyz answers 503 naming the database while it is down, and 200 again once it is back', async () => {
      const ready = async () => {
        const r = await fetch(`${baseUrl}/readyz`);
        return { status: r.status, body: await r.json() };
      };
      assert.equal((await ready()).status, 200);
      await stopDb();
      const down = await ready();
      assert.equal(down.status, 503);
      // No worker runs here: that is reported, and readiness does not depend on it.
      assert.deepEqual(down.body, { status: 'unavailable', temporal: 'up', database: 'down', workers: 'none polling' });
      stopDb = (await startDatabase(options())).stop;
      await eventually(async () => ((await ready()).status === 200 ? true : undefined), 'readiness after the database came back', 30_000);
    });
  });

  test('a stopped and restarted stack keeps its workflows and its data', { timeout: 120_000 }, async () => {
    const ports = { temporalPort: await freePort(), mongoPort: await freePort() };
    const options = {
      dataDir: path.join(scratch, 'persist'),
      persistent: true,
      database: 'persist',
      logDir: path.join(scratch, 'logs'),
      ...ports,
    };
    const workflowId = `persist-${Date.now()}`;
    const first = await startStack(options, {});
    try {
      const connection = await Connection.connect({ address: first.temporalAddress });
      await new Client({ connection }).workflow.start('nothingRunsThis', { taskQueue: 'nobody', workflowId });
      // As a database kept from before an attribute existed: the dev server registers its flags in a new one only.
      await connection.operatorService.removeSearchAttributes({ namespace: 'default', searchAttributes: ['ReturnReason'] });
      await connection.close();
      const db = await connectDatabase(first.mongoUri);
      await db.models.AuditEvent.create({
        _id: 'persist:1',
        orderId: 'persist',
        seq: 1,
        at: new Date(),
        actor: { kind: 'system', id: 'test' },
        action: 'KEPT',
      });
      await db.close();
    } finally {
      await first.stop();
    }
    const second = await startStack(options, {});
    try {
      const connection = await Connection.connect({ address: second.temporalAddress });
      const description = await new Client({ connection }).workflow.getHandle(workflowId).describe();
      assert.equal(description.workflowId, workflowId);
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      assert.ok(customAttributes?.ReturnReason, 'the attribute missing from the kept database is registered again');
      await connection.close();
      const db = await connectDatabase(second.mongoUri);
      assert.equal((await db.models.AuditEvent.findById('persist:1').lean())?.action, 'KEPT');
      await db.close();
    } finally {
      await second.stop();
    }
  });
});
