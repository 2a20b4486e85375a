/**
 * An SMTP server on loopback (the `smtp-server` package), plain and without authentication, as tests need it. It
 * parses every accepted message with `mailparser` and records what a mailbox would show; `rejectNext` answers the
 * next messages' DATA with a chosen reply (451 "try later", 550 "rejected") as a relay does.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** One message as the mailbox shows it. */
export interface ReceivedMail {
  /** The envelope's sender and recipients, as the client gave them. */
  envelopeFrom: string;
  envelopeTo: string[];
  /** The From header, e.g. `Order Hub <alerts@brand.example>`. */
  from: string;
  to: string;
  subject: string;
  text: string;
  messageId: string;
  at: number;
}

/** A running simulated relay. */
export interface SmtpSimulator {
  host: string;
  port: number;
  /** Accepted messages, oldest first. */
  mails(): ReceivedMail[];
  /** The next `n` messages are answered with `code` after DATA and not kept. */
  rejectNext(n: number, code: number): void;
  stop(): Promise<void>;
}

/** What a relay says with each reply code the tests use. */
const REPLY_TEXT: Record<number, string> = {
  421: '4.3.2 Service not available, closing transmission channel',
  451: '4.7.1 Try again later',
  452: '4.3.1 Insufficient system storage',
  550: '5.7.1 Message rejected',
  552: '5.3.4 Message size exceeds fixed maximum message size',
  554: '5.7.1 Transaction failed',
};

/** An error smtp-server turns into the given reply. */
function replyError(code: number): Error & { responseCode: number } {
  return Object.assign(new Error(REPLY_TEXT[code] ?? `Rejected (${code})`), { responseCode: code });
}

/** Starts a relay on a free loopback port (or `port`). */
export async function startSmtp(options: { port?: number } = {}): Promise<SmtpSimulator> {
  const kept: ReceivedMail[] = [];
  let rejecting = { left: 0, code: 451 };

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    if (rejecting.left > 0) {
      rejecting = { ...rejecting, left: rejecting.left - 1 };
      throw replyError(rejecting.code);
    }
    const parsed = await simpleParser(Buffer.concat(chunks));
    const addressText = (value: typeof parsed.to): string =>
      Array.isArray(value) ? value.map((a) => a.text).join(', ') : (value?.text ?? '');
    const { mailFrom, rcptTo } = session.envelope;
    kept.push({
      envelopeFrom: mailFrom ? mailFrom.address : '',
      envelopeTo: rcptTo.map((r) => r.address),
      from: parsed.from?.text ?? '',
      to: addressText(parsed.to),
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      messageId: parsed.messageId ?? '',
      at: Date.now(),
    });
  }

  const server = new SMTPServer({
    // Plain SMTP for tests: no STARTTLS to negotiate (its built-in certificate is for testing only) and no AUTH.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      receive(stream, session).then(
        () => callback(),
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    mails: () => structuredClone(kept),
    rejectNext(n, code) {
      rejecting = { left: n, code };
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
