/**
 * A Standard Webhooks receiver on loopback, as a well-behaved partner runs one: it verifies the signature with any
 * secret it holds, dedupes on `webhook-id`, and records each accepted event once. Tests assert on `events()`.
 */
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { z } from 'zod';
import { PartnerServer, type Received, type Reply } from './server';

/** One accepted event, recorded once however often it was delivered. */
export interface WebhookEvent {
  /** The sender's `webhook-id` (the hub's idempotency key). */
  id: string;
  type: string;
  data: unknown;
  /** When it was first accepted (epoch ms). */
  receivedAt: number;
}

/** A partner's lasting refusal of one event, e.g. 422 "order cancelled". */
export interface Refusal {
  status: number;
  message: string;
}

/** Answers the first delivery of an accepted event; a non-2xx reply leaves it unaccepted, so a retry is judged again. */
export type EventHandler = (event: WebhookEvent, request: Received) => Reply | Promise<Reply>;

/** How to start a receiver. */
export interface WebhookReceiverOptions {
  /** The secrets it verifies with; one is enough, two during a rotation. */
  secrets: string[];
  port?: number;
  /** Default: 200 `{ ok: true }`. */
  handler?: EventHandler;
}

/** A running receiver. */
export interface WebhookReceiver {
  /** The underlying server, for `url`, `received`, `script` and `stop`. */
  readonly server: PartnerServer;
  /** Accepted unique events in arrival order, optionally of one type. */
  events(type?: string): WebhookEvent[];
  /** Refuses, from now on, the events for which `predicate` returns a refusal. */
  refuse(predicate: (event: WebhookEvent) => Refusal | undefined): void;
}

const envelopeSchema = z.object({ type: z.string().min(1), timestamp: z.string(), data: z.unknown() });

/** Starts a receiver on a free loopback port (or `port`). */
export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const verifiers = options.secrets.map((secret) => new Webhook(secret));
  const handler: EventHandler = options.handler ?? (() => ({ status: 200, body: { ok: true } }));
  const accepted: WebhookEvent[] = [];
  // The first reply per webhook-id, replayed to repeats; a promise so concurrent repeats wait for the first.
  const replies = new Map<string, Promise<Reply>>();
  let refusing: (event: WebhookEvent) => Refusal | undefined = () => undefined;

  const answer = async (request: Received): Promise<Reply> => {
    const verified = verify(verifiers, request);
    if ('status' in verified) return verified;
    const event: WebhookEvent = { id: verified.id, type: verified.envelope.type, data: verified.envelope.data, receivedAt: request.at };
    const earlier = replies.get(event.id);
    if (earlier) return earlier;
    const refusal = refusing(event);
    if (refusal) return { status: refusal.status, body: { message: refusal.message } };
    const reply = Promise.resolve(handler(event, request));
    replies.set(event.id, reply);
    try {
      const settled = await reply;
      if (settled.status >= 200 && settled.status < 300) accepted.push(event);
      else replies.delete(event.id);
      return settled;
    } catch (error) {
      replies.delete(event.id);
      throw error;
    }
  };

  const server = await PartnerServer.start(answer, options.port);
  return {
    server,
    events: (type) => accepted.filter((event) => type === undefined || event.type === type),
    refuse(predicate) {
      refusing = predicate;
    },
  };
}

/** Checks the signature with each secret in turn, then the envelope; a failure is the reply to send. */
function verify(verifiers: Webhook[], request: Received): { id: string; envelope: z.infer<typeof envelopeSchema> } | Reply {
  let failure = 'no secret configured';
  for (const verifier of verifiers) {
    try {
      verifier.verify(request.rawBody, request.headers);
      const envelope = envelopeSchema.safeParse(request.body);
      if (!envelope.success) return { status: 400, body: { message: `not a webhook event: ${z.prettifyError(envelope.error)}` } };
      return { id: request.headers['webhook-id'] ?? '', envelope: envelope.data };
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      failure = error.message;
    }
  }
  return { status: 401, body: { message: `signature rejected: ${failure}` } };
}
