import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { AppError, ErrorCode, formatError } from './errors.js';

function capture() {
  const lines: string[] = [];
  const log = pino(
    { level: 'error' },
    new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    }),
  );
  return { log, lines };
}

function located(err: Error): GraphQLError {
  return new GraphQLError(err.message, { path: ['menu'], originalError: err });
}

describe('formatError', () => {
  it('passes an AppError through with its contract code and details', () => {
    const { log } = capture();
    const err = located(new AppError(ErrorCode.OUT_OF_STOCK, 'Out of stock: Wings', { items: ['Wings'] }));
    expect(formatError(err.toJSON(), err, log)).toMatchObject({
      message: 'Out of stock: Wings',
      extensions: { code: 'OUT_OF_STOCK', items: ['Wings'] },
    });
  });

  it('masks anything unexpected: no SQL, stack or class name; a correlation id that is in the log', () => {
    const { log, lines } = capture();
    const sqlError = Object.assign(new Error('insert into "staff" ("email") values ($1) - duplicate key violates unique constraint'), {
      name: 'UniqueConstraintViolationException',
    });
    const err = located(sqlError);
    const out = formatError(err.toJSON(), err, log);
    expect(out.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    const text = JSON.stringify(out);
    expect(text).not.toMatch(/insert|staff|constraint|Exception|at .*\.ts/);
    const id = out.extensions?.correlationId as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.message).toContain(id);
    expect(lines.join('')).toContain(id);
    expect(lines.join('')).toContain('duplicate key');
  });

  it('turns request-level errors (parse, validation, coercion) into BAD_USER_INPUT', () => {
    const { log } = capture();
    const err = new GraphQLError('Cannot query field "nope" on type "Query".', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(formatError(err.toJSON(), err, log).extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('maps type-graphql authorization errors to FORBIDDEN', () => {
    const { log } = capture();
    const inner = new GraphQLError('Access denied! You don\'t have permission for this action!', { extensions: { code: 'UNAUTHORIZED' } });
    const err = new GraphQLError(inner.message, { path: ['createStaff'], originalError: inner });
    expect(formatError(err.toJSON(), err, log)).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
  });
});
