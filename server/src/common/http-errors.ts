import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../infra/logger.js';
import { ErrorCode } from './errors.js';

/**
 * The last Express handler: what goes wrong before GraphQL sees a request (a body that is not
 * JSON, or too large) is answered as a GraphQL error, never with Express's default page, which
 * carries a stack trace outside production.
 */
export function httpErrorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    const status = Number((err as { status?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode ?? 500);
    if (status >= 400 && status < 500) {
      const message = status === 413 ? 'Request body too large' : 'Malformed request body';
      res.status(status).json({ errors: [{ message, extensions: { code: ErrorCode.BAD_USER_INPUT } }] });
      return;
    }
    const correlationId = randomUUID();
    log.error({ err, correlationId }, 'unexpected error');
    res.status(500).json({
      errors: [{ message: `Internal server error (correlation id ${correlationId})`, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, correlationId } }],
    });
  };
}
