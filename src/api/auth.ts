/** Who may call what: operations keys, and channel webhooks signed with their secret. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { channelSchema, type Channel } from '../domain/order';
import { HttpError } from './errors';

/** Request with the raw body kept for signature checks and the authenticated caller. */
export interface AuthedRequest extends Request {
  rawBody?: Buffer;
  caller?: { kind: 'operations' | 'channel'; id: string };
}

/** Largest clock skew accepted on a signed webhook, against replays. */
const SIGNATURE_TOLERANCE_MS = 5 * 60 * 1000;

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The signature a channel sends: hex HMAC-SHA256 over `${timestamp}.${rawBody}` with its secret. */
export function signWebhook(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

/** Requires an operations key (`X-Api-Key` or `Authorization: Bearer`); the key's name becomes the actor. */
export function requireOperations(keys: Record<string, string>): RequestHandler {
  const entries = Object.entries(keys);
  return (req: AuthedRequest, _res, next) => {
    const header = req.get('authorization');
    const presented = req.get('x-api-key') ?? (header?.startsWith('Bearer ') ? header.slice(7) : undefined);
    if (!presented) return next(new HttpError(401, 'UNAUTHENTICATED', 'an operations key is required (X-Api-Key)'));
    const match = entries.find(([, key]) => safeEqual(key, presented));
    if (!match) return next(new HttpError(403, 'FORBIDDEN', 'this key is not allowed here'));
    req.caller = { kind: 'operations', id: match[0] };
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
    const sentAt = Date.parse(timestamp);
    if (Number.isNaN(sentAt) || Math.abs(now() - sentAt) > SIGNATURE_TOLERANCE_MS) {
      return next(new HttpError(401, 'STALE_SIGNATURE', 'X-OrderHub-Timestamp must be an ISO instant within 5 minutes of now'));
    }
    if (!safeEqual(signWebhook(secret, timestamp, req.rawBody ?? ''), signature)) return next(new HttpError(401, 'BAD_SIGNATURE', 'the signature does not match the body'));
    req.caller = { kind: 'channel', id: channel.data as Channel };
    next();
  };
}
