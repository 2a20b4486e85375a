/**
 * A partner on loopback: a real HTTP server that records every request it received and answers as its handler says,
 * unless a test scripted the next answers (429 with Retry-After, 500, a hang, a lost answer…). Tests assert on
 * what it received; `npm run dev` runs the same servers as its demo partners.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the partner received it. */
export interface Received {
  method: string;
  path: string;
  headers: Record<string, string>;
  rawBody: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: unknown;
  /** When it arrived (epoch ms). */
  at: number;
}

/** An HTTP answer. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * A scripted answer: a reply without handling the request, no answer at all (the caller times out), or the
 * request handled as usual and then the connection dropped or left hanging (the partner acted, its answer was lost
 * or never came, e.g. because the caller's process died first). A hang with `ms` drops the connection after so long.
 */
export type ScriptedAnswer = Reply | { hang: true; ms?: number } | { handleThenDrop: true } | { handleThenHang: true };

/** Answers a request the script does not cover. */
export type Handler = (request: Received) => Reply | Promise<Reply>;

/**
 * How a partner behaves besides what its handler answers, as real partners do under load: each answer takes a while,
 * and a share of requests fail (429 with Retry-After, 500, or no answer at all so the caller times out). Scripted
 * answers are not affected.
 */
export interface PartnerBehaviour {
  /** Mean answer time in ms: each answer waits a uniformly drawn 0.5–1.5 times it (default 0). */
  latencyMs?: number;
  /** Share of requests (0–1) that fail, split evenly between 429, 500 and no answer (default 0). */
  failureShare?: number;
  /** Seconds a 429 asks the caller to wait (Retry-After, default 1). */
  retryAfterSeconds?: number;
  /** How long an unanswered request is left hanging before the connection is dropped, ms (default 60,000). */
  hangMs?: number;
}

/** Failures a behaviour injected so far, by kind. */
export interface InjectedFailures {
  throttled: number;
  serverErrors: number;
  timeouts: number;
}

interface Script {
  match: (path: string) => boolean;
  answers: ScriptedAnswer[];
}

/** A running partner server. */
export class PartnerServer {
  /** Every request received, oldest first. */
  readonly received: Received[] = [];
  private readonly scripts: Script[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private behaviour: PartnerBehaviour = {};
  /** Failures injected by the behaviour so far (see `behave`). */
  readonly injected: InjectedFailures = { throttled: 0, serverErrors: 0, timeouts: 0 };

  private constructor(
    private readonly server: Server,
    /** Base URL, e.g. http://127.0.0.1:40123. */
    readonly url: string,
  ) {}

  /** Starts a server on a free loopback port (or `port`). */
  static async start(handler: Handler, port = 0): Promise<PartnerServer> {
    // The request listener needs the instance, and the instance needs the bound port: it is attached once listening.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    const partner = new PartnerServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => void partner.serve(req, res, handler));
    return partner;
  }

  /** Queues answers for the next requests whose path starts with `path` (or matches it); then the handler answers again. */
  script(path: string | RegExp, ...answers: ScriptedAnswer[]): void {
    const match = typeof path === 'string' ? (p: string) => p.startsWith(path) : (p: string) => path.test(p);
    this.scripts.push({ match, answers });
  }

  /** Sets how the server behaves from now on (answer time, share of failures); `{}` turns it back into a prompt, reliable partner. */
  behave(behaviour: PartnerBehaviour): void {
    this.behaviour = { ...behaviour };
  }

  /** Requests received on paths starting with `path`. */
  receivedOn(path: string): Received[] {
    return this.received.filter((r) => r.path.startsWith(path));
  }

  /** Stops the server, ending hanging requests. */
  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse, handler: Handler): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
    const received: Received = { method: req.method ?? 'GET', path: req.url ?? '/', headers, rawBody, body, at: Date.now() };
    this.received.push(received);
    const scripted = this.nextScripted(received.path) ?? (await this.behaved());
    if (scripted && 'hang' in scripted) {
      this.hanging.add(res);
      const timer = scripted.ms === undefined ? undefined : setTimeout(() => res.destroy(), scripted.ms);
      res.on('close', () => {
        clearTimeout(timer);
        this.hanging.delete(res);
      });
      return;
    }
    try {
      const reply = scripted && 'status' in scripted ? scripted : await handler(received);
      if (scripted && 'handleThenDrop' in scripted) {
        res.destroy();
        return;
      }
      if (scripted && 'handleThenHang' in scripted) {
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      }
      const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(text);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `partner server bug: ${(error as Error).message}` }));
    }
  }

  /** Waits the behaviour's answer time, then draws whether this request fails and how; undefined: answer as usual. */
  private async behaved(): Promise<ScriptedAnswer | undefined> {
    const { latencyMs = 0, failureShare = 0, retryAfterSeconds = 1, hangMs = 60_000 } = this.behaviour;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs * (0.5 + Math.random())));
    if (failureShare <= 0 || Math.random() >= failureShare) return undefined;
    const kind = Math.floor(Math.random() * 3);
    if (kind === 0) {
      this.injected.throttled += 1;
      return { status: 429, headers: { 'retry-after': String(retryAfterSeconds) }, body: { message: 'slow down' } };
    }
    if (kind === 1) {
      this.injected.serverErrors += 1;
      return { status: 500, body: { message: 'internal error' } };
    }
    this.injected.timeouts += 1;
    return { hang: true, ms: hangMs };
  }

  private nextScripted(path: string): ScriptedAnswer | undefined {
    const script = this.scripts.find((s) => s.answers.length > 0 && s.match(path));
    return script?.answers.shift();
  }
}
