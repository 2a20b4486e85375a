/** Activities built as a worker builds them, over a database of their own and the partners on loopback. */
import { createActivities } from '../../src/activities';
import { loadConfig } from '../../src/config';
import { connectDatabase, type Database } from '../../src/db/connection';
import { createStores, type Stores } from '../../src/db/stores';
import { createLogger } from '../../src/logging';
import { activityDepsOf } from '../../src/worker/worker';
import { testNetwork } from '../fixtures/network';
import { startLocalPartners, type LocalPartners } from './partnersSupport';

/** What a test of activities works with; `stop` drops the database and stops the partners. */
export interface ActivityBench {
  db: Database;
  stores: Stores;
  partners: LocalPartners;
  activities: ReturnType<typeof createActivities>;
  stop(): Promise<void>;
}

/** Opens the database `it_<name>_<pid>`, saves the test network connected to the local partners, builds the activities. */
export async function startActivityBench(name: string): Promise<ActivityBench> {
  const url = new URL(process.env.MONGODB_URI!);
  url.pathname = `/it_${name}_${process.pid}`;
  const db = await connectDatabase(url.toString());
  const stores = createStores(db);
  const partners = await startLocalPartners();
  await stores.network.save(partners.connect(testNetwork), 'test');
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', PARTNERS: partners.config });
  const activities = createActivities(activityDepsOf(config, { stores, logger: createLogger('silent', name) }));
  return {
    db,
    stores,
    partners,
    activities,
    async stop() {
      await db.connection.dropDatabase().catch(() => undefined);
      await db.close();
      await partners.stop();
    },
  };
}
