/** What activities need from the process: the database's owners and a logger (tests pass their own). */
import type { Stores } from '../db/stores';
import type { Logger } from '../logging';

/** Dependencies of every activity. */
export interface ActivityDeps {
  stores: Stores;
  logger: Logger;
}
