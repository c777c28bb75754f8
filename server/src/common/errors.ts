import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { scrubText } from '../infra/redact.js';

/** The codes of the client contract, plus the one for anything unexpected. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  OUT_OF_STOCK: 'OUT_OF_STOCK',
  CONFLICT: 'CONFLICT',
  PAYMENT_REQUIRED: 'PAYMENT_REQUIRED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The one error type services throw; `details` reach the client, so keep them free of personal data. */
export class AppError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  static badInput(field: string, message: string): AppError {
    return new AppError(ErrorCode.BAD_USER_INPUT, `${field}: ${message}`, { field });
  }

  static notFound(what: string, id?: string): AppError {
    return new AppError(ErrorCode.NOT_FOUND, id ? `${what} ${id} not found` : `${what} not found`);
  }
}

interface ValidationErrorLike {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationErrorLike[];
}

function flattenValidation(errors: ValidationErrorLike[], prefix = ''): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    for (const message of Object.values(e.constraints ?? {})) out.push({ field, message });
    if (e.children?.length) out.push(...flattenValidation(e.children, field));
  }
  return out;
}

/** Codes that graphql-js and Apollo use for malformed requests: all are the client's input. */
const REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_NOT_FOUND',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * The single mapping from anything thrown to what a client sees, used by HTTP and
 * websockets alike. Unexpected errors are logged with a correlation id and masked.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  log: Logger,
): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };

  if (original instanceof AppError) {
    return { ...base, message: original.message, extensions: { ...original.details, code: original.code } };
  }
  const code = formatted.extensions?.code ?? (original as GraphQLError | undefined)?.extensions?.code;
  if (code === 'BAD_USER_INPUT' && (original as GraphQLError).extensions?.validationErrors) {
    const fields = flattenValidation(
      (original as GraphQLError).extensions.validationErrors as ValidationErrorLike[],
    );
    const message = `Invalid input: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`;
    return { ...base, message, extensions: { code: ErrorCode.BAD_USER_INPUT, fields } };
  }
  if (code === 'UNAUTHENTICATED') {
    return { ...base, message: 'Authentication required', extensions: { code: ErrorCode.UNAUTHENTICATED } };
  }
  if (code === 'UNAUTHORIZED' || code === 'FORBIDDEN') {
    return { ...base, message: 'Not allowed for your role', extensions: { code: ErrorCode.FORBIDDEN } };
  }
  // Request-level errors (parse, validation, variable coercion) have no path: the client's input.
  // Their messages may echo the input (a rejected variable's value), so they are scrubbed.
  if (error instanceof GraphQLError && !formatted.path && (code === undefined || REQUEST_CODES.has(String(code)))) {
    return { ...base, message: scrubText(formatted.message), extensions: { code: ErrorCode.BAD_USER_INPUT } };
  }
  const correlationId = randomUUID();
  if (isTransient(original)) {
    // The database (or the network to it) is briefly away: nothing was committed, and the same
    // request with the same idempotency key is safe to repeat.
    log.warn({ err: original, correlationId, path: formatted.path }, 'transient failure');
    return {
      message: `Service briefly unavailable, retry (correlation id ${correlationId})`,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, correlationId, retryable: true },
    };
  }
  log.error({ err: original, correlationId, path: formatted.path }, 'unexpected error');
  return {
    message: `Internal server error (correlation id ${correlationId})`,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, correlationId },
  };
}

const TRANSIENT_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// SQLSTATE: connection exceptions (08), shutdown and start-up (57P01-57P03), too many connections,
// serialization failures and deadlocks (the transaction was rolled back and may be retried).
const TRANSIENT_SQLSTATE = /^(08...|57P0[123]|53300|40001|40P01)$/;
const TRANSIENT_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|connection is closed|Client has encountered a connection error/i;

/** True for failures that say "try again" rather than "this request is wrong": the database away, a dropped connection. */
export function isTransient(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; sqlState?: unknown; message?: unknown; cause?: unknown; originalError?: unknown };
  if (typeof e.code === 'string' && (TRANSIENT_ERRNO.has(e.code) || TRANSIENT_SQLSTATE.test(e.code))) return true;
  if (typeof e.sqlState === 'string' && TRANSIENT_SQLSTATE.test(e.sqlState)) return true;
  if (typeof e.message === 'string' && TRANSIENT_MESSAGE.test(e.message)) return true;
  if (err instanceof AggregateError && err.errors.some((x) => isTransient(x, depth + 1))) return true;
  return isTransient(e.cause, depth + 1) || isTransient(e.originalError, depth + 1);
}
