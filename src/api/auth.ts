/**
 * Who is calling, by role: operations, a sales channel, a warehouse (WMS), a drop-ship supplier, a carrier or a
 * customer. Channels sign their webhooks; every other party presents its own key, which names who it is.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { channelSchema } from '../domain/order';
import type { Actor } from '../domain/primitives';
import { HttpError } from './errors';

/** The roles that call the API. */
export const callerKinds = ['operations', 'channel', 'warehouse', 'supplier', 'carrier', 'customer'] as const;
/** A caller's role. */
export type CallerKind = (typeof callerKinds)[number];

/** An authenticated caller: its role and who it is (key name, channel, warehouse, supplier or carrier id). */
export interface Caller {
  kind: CallerKind;
  id: string;
}

/** The caller as the actor of an order change in the audit trail (a customer acts as the order's buyer). */
export function actorOf(caller: Caller): Actor {
  return { kind: caller.kind === 'customer' ? 'buyer' : caller.kind, id: caller.id };
}

/** Who may call an endpoint: anyone, or callers of the listed roles. */
export type Access = 'public' | readonly CallerKind[];

/** Request with the raw body kept for signature checks and the authenticated caller. */
export interface AuthedRequest extends Request {
  rawBody?: Buffer;
  caller?: Caller;
}

/** The keys of the parties that present one: name (or warehouse, supplier, carrier id) → key, per role. */
export type PartyKeys = Partial<Record<'operations' | 'warehouse' | 'supplier' | 'carrier', Record<string, string>>>;

/** Largest clock skew accepted on a signed webhook, against replays. */
const SIGNATURE_TOLERANCE_MS = 5 * 60 * 1000;
const timestampSchema = z.iso.datetime({ offset: true });

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The signature a channel sends: hex HMAC-SHA256 over `${timestamp}.${rawBody}` with its secret. */
export function signWebhook(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

/** Finds the party a presented key belongs to; every key is compared, so timing does not tell which role matched. */
function partyOf(keys: PartyKeys, presented: string): Caller | undefined {
  let found: Caller | undefined;
  for (const [kind, named] of Object.entries(keys) as Array<[CallerKind, Record<string, string>]>) {
    for (const [id, key] of Object.entries(named)) if (safeEqual(key, presented)) found ??= { kind, id };
  }
  return found;
}

/**
 * Requires a key (`X-Api-Key` or `Authorization: Bearer`) of one of the allowed roles; the key's owner becomes
 * the caller, and with it the actor in the audit trail.
 */
export function requireKey(keys: PartyKeys, allowed: readonly CallerKind[]): RequestHandler {
  return (req: AuthedRequest, _res, next) => {
    const header = req.get('authorization');
    const presented = req.get('x-api-key') ?? (header?.startsWith('Bearer ') ? header.slice(7) : undefined);
    if (!presented) return next(new HttpError(401, 'UNAUTHENTICATED', 'a key is required (X-Api-Key)'));
    const caller = partyOf(keys, presented);
    if (!caller || !allowed.includes(caller.kind)) return next(new HttpError(403, 'FORBIDDEN', 'this key is not allowed here'));
    req.caller = caller;
    next();
  };
}

/** Requires a valid webhook signature from the channel named in the path (`:channel`). */
export function requireChannelSignature(secrets: Record<string, string>, now: () => number = Date.now): RequestHandler {
  return (req: AuthedRequest, _res, next) => {
    const channel = channelSchema.safeParse(req.params.channel);
    if (!channel.success) return next(new HttpError(404, 'UNKNOWN_CHANNEL', `unknown channel ${String(req.params.channel)}`));
    const secret = secrets[channel.data];
    if (!secret) return next(new HttpError(403, 'CHANNEL_NOT_CONFIGURED', `no webhook secret is configured for ${channel.data}`));
    const timestamp = req.get('x-orderhub-timestamp');
    const signature = req.get('x-orderhub-signature');
    if (!timestamp || !signature) return next(new HttpError(401, 'UNSIGNED', 'X-OrderHub-Timestamp and X-OrderHub-Signature are required'));
    // Only an ISO instant with an offset is accepted, as documented: Date.parse alone also takes "Tue, 01 Dec 2026".
    const sentAt = timestampSchema.safeParse(timestamp).success ? Date.parse(timestamp) : Number.NaN;
    if (Number.isNaN(sentAt) || Math.abs(now() - sentAt) > SIGNATURE_TOLERANCE_MS) {
      return next(new HttpError(401, 'STALE_SIGNATURE', 'X-OrderHub-Timestamp must be an ISO instant within 5 minutes of now'));
    }
    if (!safeEqual(signWebhook(secret, timestamp, req.rawBody ?? ''), signature))
      return next(new HttpError(401, 'BAD_SIGNATURE', 'the signature does not match the body'));
    req.caller = { kind: 'channel', id: channel.data };
    next();
  };
}
