/**
 * A fault gate in front of a loopback partner: it forwards every request to the partner, except while a storm is on,
 * when it answers in turn 429 (Retry-After), 500, or nothing at all (the hub's call times out), as a partner having a
 * bad minute does. The partner behind it never sees a stormed request, so what it accepted stays the count of effects.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the gate answered, by kind. */
export interface GateCounts {
  forwarded: number;
  tooManyRequests: number;
  serverErrors: number;
  hung: number;
}

/** A running gate. */
export interface FaultGate {
  /** Base URL the hub is given instead of the partner's. */
  url: string;
  /** Starts answering with faults; `retryAfterSeconds` is what the 429s ask for. */
  storm(retryAfterSeconds?: number): void;
  /** Forwards again; requests left hanging are dropped (the hub has timed them out, or will now). */
  calm(): void;
  /** True while a storm is on. */
  storming(): boolean;
  counts(): GateCounts;
  /** Webhook ids of the requests the gate answered itself, with how often (calls that never reached the partner). */
  stormedCalls(): Map<string, number>;
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

/** Starts a gate forwarding to `target` (a base URL such as http://127.0.0.1:40123). */
export async function startFaultGate(target: string): Promise<FaultGate> {
  const counts: GateCounts = { forwarded: 0, tooManyRequests: 0, serverErrors: 0, hung: 0 };
  const stormed = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  let storm: { retryAfter: number; turn: number } | undefined;

  const forward = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const headers = Object.fromEntries(
      Object.entries(req.headers)
        .filter(([name]) => !HOP_BY_HOP.has(name))
        .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]),
    );
    try {
      const answer = await fetch(`${target}${req.url ?? '/'}`, {
        method: req.method,
        headers,
        body: body.length > 0 ? body : undefined,
      });
      const text = await answer.text();
      counts.forwarded += 1;
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      res.end(text);
    } catch (error) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `fault gate could not reach the partner: ${(error as Error).message}` }));
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (!storm) {
        void forward(req, res, Buffer.concat(chunks));
        return;
      }
      const id = String(req.headers['webhook-id'] ?? `${req.method} ${req.url}`);
      stormed.set(id, (stormed.get(id) ?? 0) + 1);
      const turn = storm.turn % 3;
      storm.turn += 1;
      if (turn === 0) {
        counts.tooManyRequests += 1;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(storm.retryAfter) });
        res.end(JSON.stringify({ message: 'slow down' }));
      } else if (turn === 1) {
        counts.serverErrors += 1;
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'internal error' }));
      } else {
        counts.hung += 1;
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dropHanging = () => {
    for (const res of hanging) res.destroy();
    hanging.clear();
  };
  return {
    url,
    storm(retryAfterSeconds = 2) {
      storm = { retryAfter: retryAfterSeconds, turn: 0 };
    },
    calm() {
      storm = undefined;
      dropHanging();
    },
    storming: () => storm !== undefined,
    counts: () => ({ ...counts }),
    stormedCalls: () => new Map(stormed),
    async stop() {
      dropHanging();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
