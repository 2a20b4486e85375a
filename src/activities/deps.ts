/** What activities need from the process: the database's owners, a logger and the partners (tests pass their own). */
import type { NotificationChannels } from '../config/partners';
import type { Stores } from '../db/stores';
import type { Logger } from '../logging';
import type { PartnerDirectory } from './partners';

/** Dependencies of every activity. */
export interface ActivityDeps {
  stores: Stores;
  logger: Logger;
  /** Every partner's adapter, from the partner configuration. */
  partners: PartnerDirectory;
  /** Calls one worker has in flight to one partner at most. */
  partnerLimits: { maxInFlightPerPartner: number };
  /** How escalation notices reach people, and the link to an order in the Temporal Web UI they carry. */
  notifications: { channels: NotificationChannels; timeoutMs: number; orderLink(orderId: string): string };
}
