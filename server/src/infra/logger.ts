import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config.js';
import { safeError } from './redact.js';

export type { Logger };

/** Keys whose values never reach a log line, at the top level or one or two levels down. */
const SECRET_KEYS = [
  'password',
  'token',
  'authorization',
  'cookie',
  'phone',
  'email',
  'allergies',
  'guestAllergies',
  'notes',
  'note',
  'birthday',
  'lastName',
  'variables',
  'connectionParams',
  'reference',
];

/**
 * Structured JSON logs. Secrets and personal data are redacted by key wherever they could appear
 * (`SECRET_KEYS`), and errors are reduced to type, code, a scrubbed message and stack frames.
 * `destination` lets tests read what would be written.
 */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.LOG_LEVEL,
      base: { service: 'pos-crm' },
      serializers: { err: safeError, error: safeError },
      redact: {
        paths: [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`), ...SECRET_KEYS.map((k) => `*.*.${k}`), 'req.headers.authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
