/** One HTTP call to a partner, with a timeout, and the generic reading of its answer (2xx, 429, 5xx, other 4xx). */
import { tracePartnerCall, type PartnerCallResult } from '../../tracing/partnerCalls';
import type { PartnerAnswer } from './types';

/** Characters of a partner's response body kept in the deliveries log. */
const EXCERPT_CHARS = 300;

/** What a partner sent back over HTTP. */
export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** A request to a partner. */
export interface HttpRequest {
  url: string;
  method?: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** The start of a body, on one line, for the deliveries log. */
export function excerptOf(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, EXCERPT_CHARS);
}

/** Sends a request inside a partner-call span; a timeout or network failure is an answer to retry, never an exception. */
export async function callPartner(request: HttpRequest): Promise<HttpResponse | Extract<PartnerAnswer, { outcome: 'retry' }>> {
  const method = request.method ?? 'POST';
  return tracePartnerCall(
    { url: request.url, method, headers: request.headers },
    (headers) => send({ ...request, method, headers }),
    readingOf,
  );
}

/** One request over the network. */
async function send(request: HttpRequest): Promise<HttpResponse | Extract<PartnerAnswer, { outcome: 'retry' }>> {
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const reason = timedOut ? `no answer within ${request.timeoutMs} ms` : `network error: ${(error as Error).message}`;
    return { outcome: 'retry', excerpt: '', reason };
  }
}

/** What a call's span records: the status and the generic reading of the answer. */
function readingOf(answer: HttpResponse | Extract<PartnerAnswer, { outcome: 'retry' }>): PartnerCallResult {
  if ('outcome' in answer) return { outcome: answer.outcome, reason: answer.reason };
  const reading = classify(answer);
  return { status: answer.status, outcome: reading.outcome, ...(reading.outcome === 'delivered' ? {} : { reason: reading.reason }) };
}

/** A partner's body as JSON, or undefined when it is not JSON (a proxy's HTML error page, an empty answer). */
export function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  // Only a non-number is read as an HTTP date: Date.parse would take "-5" for a day in 2001.
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The reason a partner gave in a JSON error body (`message`, `error`, `reason`, …), else the body's start. */
export function reasonOf(text: string): string {
  try {
    const body: unknown = JSON.parse(text);
    if (body && typeof body === 'object') {
      const record = body as Record<string, unknown>;
      for (const field of ['message', 'reason', 'error_description', 'error', 'msg', 'detail']) {
        const value = record[field];
        if (typeof value === 'string' && value) return value.slice(0, EXCERPT_CHARS);
        if (value && typeof value === 'object' && typeof (value as Record<string, unknown>).message === 'string')
          return String((value as Record<string, unknown>).message).slice(0, EXCERPT_CHARS);
      }
    }
  } catch {
    // not JSON: the body itself is the reason
  }
  return excerptOf(text) || 'no reason given';
}

/**
 * The generic reading of an HTTP answer: 2xx delivered; 429 and 408/425/5xx retried (honouring Retry-After);
 * every other status refused for good, with the partner's reason.
 */
export function classify(response: HttpResponse): PartnerAnswer {
  const { status, text } = response;
  const excerpt = excerptOf(text);
  if (status >= 200 && status < 300) return { outcome: 'delivered', status, excerpt };
  if (status === 429 || status === 408 || status === 425 || status >= 500) {
    const wait = retryAfterMs(response.headers.get('retry-after'));
    return {
      outcome: 'retry',
      status,
      excerpt,
      reason: `HTTP ${status}${status === 429 ? ' (rate limited)' : ''}`,
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    };
  }
  return { outcome: 'refused', status, excerpt, reason: `HTTP ${status}: ${reasonOf(text)}` };
}
