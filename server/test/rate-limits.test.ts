import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle, startTestApp, TEST_PASSWORD, type TestApp } from './support/app.js';
import { customer } from './support/factories.js';
import { freePort } from './support/ports.js';

const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }';
const LOOKUP = 'query($c: String!) { customerLookup(by: { loyaltyCode: $c }) { firstName } }';
const LIMITS = { RATE_LIMIT_LOGIN_POINTS: 3, RATE_LIMIT_LOOKUP_POINTS: 3 };

let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  // Two instances on the same Redis: the budgets are shared.
  [a, b] = await Promise.all([startTestApp(LIMITS, { redis: true }), startTestApp(LIMITS, { redis: true })]);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

async function emailOf(t: TestApp, role: 'SERVER' | 'HOST' | 'KITCHEN'): Promise<string> {
  return (await t.gql<{ me: { email: string } }>('{ me { email } }', {}, t.tokens[role])).data!.me.email;
}
const code = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code ?? 'OK';

describe('login budget per email and client address (Redis)', () => {
  it('refuses the attempt past the budget, across instances, even with the right password', async () => {
    const email = await emailOf(a, 'SERVER');
    expect(code(await a.gql(LOGIN, { e: email, p: 'wrong-1' }))).toBe('UNAUTHENTICATED');
    expect(code(await b.gql(LOGIN, { e: email, p: 'wrong-2' }))).toBe('UNAUTHENTICATED');
    expect(code(await a.gql(LOGIN, { e: email.toUpperCase(), p: 'wrong-3' }))).toBe('UNAUTHENTICATED');
    const refused = await b.gql(LOGIN, { e: email, p: TEST_PASSWORD });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    expect(refused.data).toBeNull();
    // Another account from the same address has its own budget.
    expect(code(await a.gql(LOGIN, { e: await emailOf(a, 'HOST'), p: TEST_PASSWORD }))).toBe('OK');
  });

  it('gives the budget back after a successful sign-in', async () => {
    const email = await emailOf(a, 'KITCHEN');
    for (let round = 0; round < 2; round++) {
      expect(code(await a.gql(LOGIN, { e: email, p: 'wrong' }))).toBe('UNAUTHENTICATED');
      expect(code(await a.gql(LOGIN, { e: email, p: 'wrong' }))).toBe('UNAUTHENTICATED');
      expect(code(await a.gql(LOGIN, { e: email, p: TEST_PASSWORD }))).toBe('OK');
    }
  });
});

describe('customerLookup budget per caller (Redis)', () => {
  it('refuses the lookup past the budget for that caller only', async () => {
    const guest = await customer(a);
    for (let i = 0; i < 3; i++) expect(code(await (i % 2 ? b : a).gql(LOOKUP, { c: guest.loyaltyCode }, a.tokens.SERVER))).toBe('OK');
    const refused = await a.gql(LOOKUP, { c: guest.loyaltyCode }, a.tokens.SERVER);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'RATE_LIMITED' });
    expect(code(await a.gql(LOOKUP, { c: guest.loyaltyCode }, a.tokens.MANAGER))).toBe('OK');
  });
});

describe('when the limiter store is down', () => {
  it('refuses every login (fails closed) and keeps counting lookups in memory', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const redis: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const t = await startTestApp({ ...LIMITS, REDIS_URL: `redis://127.0.0.1:${port}` });
    try {
      await settle(500);
      const email = await emailOf(t, 'SERVER');
      expect(code(await t.gql(LOGIN, { e: email, p: TEST_PASSWORD }))).toBe('OK');
      const guest = await customer(t);

      redis.kill('SIGKILL');
      await new Promise((r) => redis.once('exit', r));
      await settle(200);
      const login = await t.gql(LOGIN, { e: email, p: TEST_PASSWORD });
      expect(login.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'RATE_LIMIT_UNAVAILABLE' });
      expect(login.data).toBeNull();

      for (let i = 0; i < 3; i++) expect(code(await t.gql(LOOKUP, { c: guest.loyaltyCode }, t.tokens.SERVER))).toBe('OK');
      expect((await t.gql(LOOKUP, { c: guest.loyaltyCode }, t.tokens.SERVER)).errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'RATE_LIMITED' });
    } finally {
      await t.close();
      redis.kill('SIGKILL');
    }
  });
});
