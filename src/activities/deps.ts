/** What activities need from the process: the database, the stores and a logger (tests pass their own). */
import type { Database } from '../db/connection';
import type { Stores } from '../db/stores';
import type { Logger } from '../logging';

/** Dependencies of every activity. */
export interface ActivityDeps {
  db: Database;
  stores: Stores;
  logger: Logger;
}
