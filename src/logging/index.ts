/** The one logger: structured JSON (pino) with personal data redacted (masked in logs). */
import pino from 'pino';

const personalFields = ['phone', 'name', 'line1', 'postalCode'];
const redactPaths = [
  ...personalFields.flatMap((field) => [`*.${field}`, `*.*.${field}`, `*.*.*.${field}`]),
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-orderhub-signature"]',
];

/** Creates the process logger at a level. */
export function createLogger(level: string, name: string): pino.Logger {
  return pino({ name, level, redact: { paths: redactPaths, censor: '***' } });
}

/** A logger. */
export type Logger = pino.Logger;
