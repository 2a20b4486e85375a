/**
 * Who is calling, by role: operations, a sales channel, a warehouse (WMS), a drop-ship supplier, a carrier or a
 * customer. Channels sign their webhooks; every other party presents its own key, which names who it is: operations
 * keys come from the environment, warehouses', suppliers' and carriers' from their accounts (src/db/accounts.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import type { Accounts } from '../db/accounts';
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

/** Where presented keys are looked up: operations keys (name → key) from the environment, every other party's in its account. */
export interface KeyRing {
  operations: Record<string, string>;
  accounts: Pick<Accounts, 'check' | 'recordUse'>;
  /** Told when recording a key's last use failed; the request did not wait for it and has gone on. */
  onRecordError?: (error: unknown) => void;
}

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

/** The operations user a key belongs to; every key is compared, so timing does not tell which one matched. */
function operatorOf(keys: Record<string, string>, presented: string): string | undefined {
  let found: string | undefined;
  for (const [name, key] of Object.entries(keys)) if (safeEqual(key, presented)) found ??= name;
  return found;
}

/** The key a request presents: `X-Api-Key`, or `Authorization: Bearer`. */
function presentedKey(req: Request): string | undefined {
  const header = req.get('authorization');
  return req.get('x-api-key') ?? (header?.startsWith('Bearer ') ? header.slice(7) : undefined);
}

/**
 * Requires a key of one of the allowed roles; the key's owner becomes the caller, and with it the actor in the audit
 * trail. A missing, unknown, malformed or revoked key answers 401; a valid key of another role 403.
 */
export function requireKey(keys: KeyRing, allowed: readonly CallerKind[]): RequestHandler {
  return async (req: AuthedRequest, _res, next) => {
    const presented = presentedKey(req);
    if (!presented) return next(new HttpError(401, 'UNAUTHENTICATED', 'a key is required (X-Api-Key)'));
    const operator = operatorOf(keys.operations, presented);
    const found = operator ? undefined : await keys.accounts.check(presented);
    if (found?.status === 'revoked') return next(new HttpError(401, 'KEY_REVOKED', 'this key was revoked; ask operations for a new one'));
    if (found?.status === 'unknown') return next(new HttpError(401, 'INVALID_KEY', 'this key is unknown or malformed'));
    const caller: Caller = found ? { kind: found.kind, id: found.partyId } : { kind: 'operations', id: operator! };
    if (!allowed.includes(caller.kind)) return next(new HttpError(403, 'FORBIDDEN', 'this key is not allowed here'));
    // Not awaited: the last-used time is bookkeeping, and the request must not wait for, or fail with, its write.
    if (found) keys.accounts.recordUse(found.keyId, found.lastUsedAt).catch((error: unknown) => keys.onRecordError?.(error));
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
