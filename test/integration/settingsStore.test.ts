/** Settings on the real database as two processes see them: a save is in force at once where it was made, elsewhere within a second. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import type { Database } from '../../src/db/connection';
import { createSettingsStore, SETTINGS_FRESHNESS_MS } from '../../src/db/settingsStore';
import { dropStoreDatabase, openStoreDatabase } from './storeDatabase';

const limitSchema = z.object({ limit: z.int() });

describe('settings store', () => {
  let db: Database;
  before(async () => {
    db = await openStoreDatabase('settings');
  });
  after(() => dropStoreDatabase(db));

  test('a save reaches another process once its last lookup is a second old, or at once when it asks for the latest fresh', async () => {
    let now = Date.parse('2026-11-26T08:00:00Z');
    const clock = () => now;
    const editor = createSettingsStore(db.models, 'freshness', limitSchema, { limit: 0 }, clock);
    const worker = createSettingsStore(db.models, 'freshness', limitSchema, { limit: 0 }, clock);
    assert.deepEqual((await worker.latest()).body, { limit: 0 }, 'nothing stored: the fallback');

    await editor.save({ limit: 1 }, 'ops');
    assert.deepEqual((await editor.latest()).body, { limit: 1 }, 'in force at once where it was saved');
    assert.equal((await worker.latest()).version, 0, 'the other process goes on with its last lookup');
    now += SETTINGS_FRESHNESS_MS;
    assert.deepEqual([(await worker.latest()).version, (await worker.latest()).body], [1, { limit: 1 }], 'a second later it looks again');

    await editor.save({ limit: 2 }, 'ops');
    assert.equal((await worker.latest()).version, 1);
    assert.equal((await worker.latest({ fresh: true })).version, 2, 'an edit reads the latest fresh');
    await assert.rejects(worker.save({ limit: 3 }, 'ops', 1), /version 2, not 1/, 'a stale edit is refused whatever was looked up');
  });
});
