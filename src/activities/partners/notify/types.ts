/**
 * What every notification channel promises: one send per attempt, with the escalation's idempotency key, answered
 * like any partner (delivered, retry, refused). Channels never throw for the far side's answer, only for a bug.
 */
import type { PartnerAnswer } from '../types';

/** One message to one person or group, already rendered in the recipient's language. */
export interface Notice {
  subject: string;
  text: string;
  markdown?: string;
  link?: string;
}

/** A notification channel adapter: one send per attempt, `key` is the idempotency key (same on every retry). */
export interface Notifier {
  send(notice: Notice, key: string): Promise<PartnerAnswer>;
}

/** A channel that reaches one person at a time: bound to a phone number or an address before sending. */
export interface PersonalChannel {
  /** The notifier for one recipient. */
  to(recipient: string): Notifier;
}

/** What every channel needs from the hub's partner configuration. */
export interface NotifierOptions {
  /** Longest wait for one send before it counts as a timeout and is retried. */
  timeoutMs: number;
}
