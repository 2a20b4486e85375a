/**
 * E-mail over SMTP with nodemailer: one message per send, its Message-ID derived from our key so that a retry carries
 * the same id and mail systems that dedupe on it show one message. SMTP itself has no idempotency: when the server's
 * 250 after DATA is lost, the retry delivers a second copy with that same Message-ID.
 *
 * Replies: 4xx (and 503) are retried, 5xx refused; no answer within `timeoutMs`, a dropped connection or a DNS failure
 * is retried; missing credentials, a failed TLS handshake or bad configuration is refused for a person to fix.
 */
import nodemailer, { type NodemailerError } from 'nodemailer';
import type { PartnerAnswer } from '../types';
import { excerptOf } from '../http';
import { oneLine } from './text';
import type { Notice, NotifierOptions, PersonalChannel } from './types';

/** An SMTP relay and the address the hub sends from. */
export interface SmtpEndpoint {
  host: string;
  port: number;
  /** Implicit TLS (port 465); otherwise STARTTLS is used whenever the server offers it. */
  secure?: boolean;
  user?: string;
  pass?: string;
  /** The From header, e.g. `Order Hub <alerts@brand.example>`. */
  from: string;
}

/** Errors of the connection rather than of the message: the same mail may well pass on the next attempt. */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ESOCKET', 'EDNS', 'EPROTOCOL', 'ETIMEDOUT', 'EABORT']);

/** The key made safe for a Message-ID's left part: letters, digits, `-` and `_` kept, every other byte as `=XX`. */
function idPartOf(key: string): string {
  let out = '';
  for (const char of key) {
    out += /[A-Za-z0-9_-]/.test(char)
      ? char
      : Array.from(Buffer.from(char, 'utf8'), (byte) => `=${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

/** `<key@domain>` with the sender's domain, as RFC 5322 suggests for a globally unique id; one key, one Message-ID. */
export function messageIdOf(key: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'orderhub';
  return `<${idPartOf(key)}@${domain}>`;
}

/** The plain-text body: the notice's text, then its link on a line of its own. */
function bodyOf(notice: Notice): string {
  return notice.link ? `${notice.text}\n\n${notice.link}` : notice.text;
}

/** An SMTP failure as an answer: by the reply's class when the server replied, else by what failed. */
function answerOf(error: unknown, timeoutMs: number): PartnerAnswer {
  const failure = (error instanceof Error ? error : new Error(String(error))) as NodemailerError;
  if (failure.code === 'EABORT' || failure.code === 'ETIMEDOUT') {
    return { outcome: 'retry', excerpt: '', reason: `no answer within ${timeoutMs} ms` };
  }
  if (typeof failure.responseCode === 'number') {
    const code = failure.responseCode;
    const reply = oneLine(failure.response ?? failure.message);
    const excerpt = excerptOf(reply);
    const reason = `SMTP ${code}: ${reply.replace(/^\d{3}[ -]/, '')}`.slice(0, 300);
    // 503 is "bad sequence of commands": the session, not the message, was at fault.
    const permanent = failure.permanent ?? (code >= 500 && code !== 503);
    return permanent ? { outcome: 'refused', status: code, excerpt, reason } : { outcome: 'retry', status: code, excerpt, reason };
  }
  const reason = `${failure.code ?? 'error'}: ${oneLine(failure.message)}`.slice(0, 300);
  return TRANSIENT_CODES.has(failure.code ?? '')
    ? { outcome: 'retry', excerpt: '', reason: `network error: ${reason}` }
    : { outcome: 'refused', excerpt: '', reason };
}

/** Builds the e-mail channel for one relay; `.to(address)` gives the notifier for one mailbox. */
export function createEmailNotifier(smtp: SmtpEndpoint, options: NotifierOptions): PersonalChannel {
  const { timeoutMs } = options;
  // Not pooled: escalations are rare, and a fresh connection per message leaves no idle session to go stale.
  const transporter = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure ?? false,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.pass ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return {
    to(address) {
      return {
        async send(notice, key) {
          try {
            const info = await transporter.sendMail({
              from: smtp.from,
              to: address,
              subject: notice.subject,
              text: bodyOf(notice),
              messageId: messageIdOf(key, smtp.from),
              // One deadline for the whole exchange; nodemailer's own timeouts each cover only one wait.
              signal: AbortSignal.timeout(timeoutMs),
            });
            const status = Number(/^\d{3}/.exec(info.response)?.[0] ?? 250);
            return { outcome: 'delivered', status, excerpt: excerptOf(info.response), reference: info.messageId };
          } catch (error) {
            return answerOf(error, timeoutMs);
          }
        },
      };
    },
  };
}
