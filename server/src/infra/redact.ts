/**
 * Keeps personal data and secrets out of logs and error messages. Structured fields are redacted
 * by key in the logger (infra/logger.ts); free text (error messages, which may quote SQL with its
 * parameters or echo a client's input) goes through scrubText.
 */

const EMAIL = /[^\s@"'`<>()[\],;:]+@[^\s@"'`<>()[\],;:]+\.[a-z]{2,}/gi;
/** Seven or more digits, with the separators people and databases put between them: phones, cards, ids. */
const DIGITS = /\+?\d(?:[\s().-]*\d){6,}/g;
const BEARER = /\b(Bearer\s+)?(posdev_[\w-]+|eyJ[\w-]+\.[\w-]+\.[\w-]+)/g;
/** MikroORM prefixes driver errors with the statement (and its parameters): "<sql> - <error>". */
const SQL_PREFIX = /^\s*(select|insert|update|delete|with|begin|commit|rollback|alter|create|drop|truncate|set|lock)\b[\s\S]* - ([\s\S]*)$/i;
/** graphql-js echoes a rejected variable: `Variable "$x" got invalid value <json>; ...`. */
const ECHOED_VALUE = /got invalid value [\s\S]*?(?=; | at "|$)/g;
const QUOTED_VALUE = /(cannot represent [^:]*:\s*)[\s\S]*$/i;
/** graphql-js quotes the offending part of the document under a syntax error. */
const SOURCE_EXCERPT = /\n\nGraphQL request:[\s\S]*$/;

export function scrubText(text: string): string {
  const withoutSql = SQL_PREFIX.exec(text)?.[2] ?? text;
  return withoutSql
    .replace(SOURCE_EXCERPT, '')
    .replace(ECHOED_VALUE, 'got an invalid value')
    .replace(QUOTED_VALUE, '$1(value withheld)')
    .replace(BEARER, '[token]')
    .replace(EMAIL, '[email]')
    .replace(DIGITS, '[number]');
}

export interface SafeError {
  type: string;
  code?: string;
  message: string;
  stack?: string;
}

/**
 * What a log may say about an error: its type, its code, its message without SQL or personal
 * data, and the stack frames (without the message line). Nothing else the driver attached
 * (parameters, the failing row's detail) is kept.
 */
export function safeError(err: unknown): SafeError {
  if (!(err instanceof Error)) return { type: typeof err, message: scrubText(String(err)) };
  const code = (err as { sqlState?: unknown; code?: unknown }).sqlState ?? (err as { code?: unknown }).code;
  const frames = err.stack
    ?.split('\n')
    .filter((l) => l.trim().startsWith('at '))
    .slice(0, 15)
    .join('\n');
  return {
    type: err.name,
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
    message: scrubText(err.message),
    ...(frames ? { stack: frames } : {}),
  };
}
