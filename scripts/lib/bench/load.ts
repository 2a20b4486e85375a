/**
 * The load generator: signed paid-order snapshots posted through the channel webhook, open loop at a fixed rate
 * (each order leaves at its scheduled instant, whatever the answers before it) or all at once. One process,
 * Node's keep-alive fetch; orders are built before the clock starts, only the payment instant and the signature
 * are made at send time.
 */
import { signWebhook } from '../../../src/api/auth';
import { type CanonicalOrder } from '../../../src/domain/order';
import { orderIdOf } from '../../../src/domain/ids';

/** The channel every bench order comes from. */
export const BENCH_CHANNEL = 'tmall';
/** The bench channel's webhook secret, signing every order the bench posts. */
export const CHANNEL_SECRET = 'bench-channel-secret';

/** One posted order: when it was due and sent, its payment instant, the answer and how long the answer took. */
export interface Posted {
  orderId: string;
  /** Epoch ms the order was scheduled to leave. */
  dueAt: number;
  /** Epoch ms it left (and its paidAt). */
  sentAt: number;
  paidAt: string;
  /** HTTP status; 0 when the request failed or timed out. */
  status: number;
  /** Acknowledgement latency measured by the client, ms. */
  ackMs: number;
  /** The answer's `status` field (the order's status, or ACCEPTED). */
  answer?: string;
}

/** Posts one signed paid snapshot, the payment instant being now. */
export async function postPaidOrder(baseUrl: string, order: CanonicalOrder, dueAt: number, timeoutMs: number): Promise<Posted> {
  const sentAt = Date.now();
  const paidAt = new Date(sentAt).toISOString();
  const createdAt = new Date(sentAt - 1000).toISOString();
  const raw = JSON.stringify({
    type: 'snapshot',
    eventId: `${order.channelOrderId}:paid`,
    order: { ...order, createdAt, paymentStatus: 'paid', paidAt },
  });
  const timestamp = new Date().toISOString();
  const started = performance.now();
  const orderId = orderIdOf(order.channel, order.channelOrderId);
  try {
    const response = await fetch(`${baseUrl}/v1/channels/${order.channel}/events`, {
      method: 'POST',
      body: raw,
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json',
        'x-orderhub-timestamp': timestamp,
        'x-orderhub-signature': signWebhook(CHANNEL_SECRET, timestamp, raw),
      },
    });
    const text = await response.text();
    const ackMs = performance.now() - started;
    let answer: string | undefined;
    try {
      answer = (JSON.parse(text) as { status?: string }).status;
    } catch {
      answer = undefined;
    }
    return { orderId, dueAt, sentAt, paidAt, status: response.status, ackMs, answer };
  } catch {
    return { orderId, dueAt, sentAt, paidAt, status: 0, ackMs: performance.now() - started };
  }
}

/** What an open-loop run did: every post, and how far behind schedule the generator ever sent. */
export interface LoadRun {
  posted: Posted[];
  /** Epoch ms of the first and last send. */
  firstSentAt: number;
  lastSentAt: number;
  /** Largest delay between an order's scheduled and actual send, ms (the generator's own lag). */
  maxLagMs: number;
}

/**
 * Posts `orders` open loop at `rate` per second: order i leaves at start + i / rate, whether or not earlier
 * requests have been answered. Resolves once every request has been answered or has timed out.
 */
export async function openLoop(baseUrl: string, orders: CanonicalOrder[], rate: number, timeoutMs: number): Promise<LoadRun> {
  const start = Date.now() + 50;
  const due = (i: number) => start + (i * 1000) / rate;
  const pending: Array<Promise<Posted>> = [];
  let maxLagMs = 0;
  let next = 0;
  while (next < orders.length) {
    const now = Date.now();
    while (next < orders.length && due(next) <= now) {
      maxLagMs = Math.max(maxLagMs, now - due(next));
      pending.push(postPaidOrder(baseUrl, orders[next]!, due(next), timeoutMs));
      next += 1;
    }
    if (next < orders.length) await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(20, due(next) - Date.now()))));
  }
  const posted = await Promise.all(pending);
  return { posted, firstSentAt: posted[0]?.sentAt ?? start, lastSentAt: posted.at(-1)?.sentAt ?? start, maxLagMs };
}

/** Posts every order at once, at most `inFlight` requests open at a time (closed loop). */
export async function burst(baseUrl: string, orders: CanonicalOrder[], inFlight: number, timeoutMs: number): Promise<LoadRun> {
  const posted = new Array<Posted>(orders.length);
  let next = 0;
  const lane = async () => {
    while (next < orders.length) {
      const i = next;
      next += 1;
      posted[i] = await postPaidOrder(baseUrl, orders[i]!, Date.now(), timeoutMs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, orders.length) }, lane));
  const sent = posted.map((p) => p.sentAt);
  return { posted, firstSentAt: Math.min(...sent), lastSentAt: Math.max(...sent), maxLagMs: 0 };
}
