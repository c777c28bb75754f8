import { pino, type Logger } from 'pino';
import type { Config } from '../config.js';

export type { Logger };

/** Structured JSON logs; secrets and personal data are redacted wherever they could appear. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>): Logger {
  return pino({
    level: config.LOG_LEVEL,
    base: { service: 'pos-crm' },
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'authorization',
        '*.authorization',
        'req.headers.authorization',
        'variables.*.password',
        'variables.password',
      ],
      censor: '[redacted]',
    },
  });
}
