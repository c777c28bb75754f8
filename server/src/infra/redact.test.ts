import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { safeError, scrubText } from './redact.js';
import { createLogger } from './logger.js';

describe('scrubText', () => {
  it('drops the SQL MikroORM puts before a driver error, with its parameters', () => {
    const msg = `select "c0".* from "customer" as "c0" where "c0"."email" = 'maria@example.com' limit 1 - column c0.notes does not exist`;
    expect(scrubText(msg)).toBe('column c0.notes does not exist');
  });

  it('hides emails, phone numbers, card numbers and tokens in free text', () => {
    const out = scrubText('for Maria.G@Example.com at +1 (415) 555-0123, card 4111 1111 1111 1111, Bearer posdev_abcDEF123-_x');
    expect(out).not.toMatch(/example|415|4111|posdev/i);
    expect(out).toContain('[email]');
    expect(out).toContain('[number]');
    expect(out).toContain('[token]');
  });

  it('withholds a rejected variable graphql-js would echo', () => {
    expect(scrubText('Variable "$n" got invalid value "+14155550123"; Int cannot represent non-integer value: "+14155550123"')).toBe(
      'Variable "$n" got an invalid value; Int cannot represent non-integer value: (value withheld)',
    );
    expect(scrubText('Variable "$i" got invalid value { firstName: "Zed" } at "i.tags"; Expected type "String".')).not.toContain('Zed');
  });

  it('keeps ordinary messages as they are', () => {
    expect(scrubText('Order 12 is already paid')).toBe('Order 12 is already paid');
  });
});

describe('safeError and the logger', () => {
  it('keeps type, code, a scrubbed message and stack frames, and nothing else the driver attached', () => {
    const err = Object.assign(new Error(`insert into "customer" ("phone") values ('+14155550123') - duplicate key value violates unique constraint`), {
      name: 'UniqueConstraintViolationException',
      sqlState: '23505',
      detail: 'Key (phone)=(+14155550123) already exists.',
      parameters: ['+14155550123'],
    });
    const safe = safeError(err);
    expect(safe).toMatchObject({ type: 'UniqueConstraintViolationException', code: '23505', message: 'duplicate key value violates unique constraint' });
    expect(JSON.stringify(safe)).not.toContain('4155550123');
    expect(safe.stack).toMatch(/^\s+at /);
  });

  it('redacts secrets and personal data by key, at any of the first three levels', () => {
    let out = '';
    const sink = new Writable({ write: (chunk, _enc, cb) => ((out += String(chunk)), cb()) });
    const log = createLogger({ LOG_LEVEL: 'info' }, sink);
    log.info({ password: 'hunter2-secret', token: 'tok-secret', customer: { phone: '+14155550123', email: 'a@b.co', allergies: ['sesame'] }, input: { nested: { notes: 'private note' } }, variables: { x: 1 } }, 'x');
    log.error({ err: new Error('failed for a@b.co') }, 'y');
    for (const secret of ['hunter2', 'tok-secret', '4155550123', 'a@b.co', 'sesame', 'private note']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });
});
