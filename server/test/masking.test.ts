import pg from 'pg';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, TEST_TOKEN_SECRET } from './support/http.js';
import { isolatedDatabase } from './support/isolated-db.js';
import { freePort } from './support/ports.js';
import { killServerProcesses, startServerProcess, type ServerProcess } from './support/server-process.js';

// The built server as a real process with NODE_ENV unset (only what is listed here is set), so
// nothing from a test runner's environment changes what a client or the log sees.
const ADMIN = { email: 'mask-admin@test.pos', password: 'admin-pass-zq7-secret' };
const GUEST = { phone: '+14155550188', email: 'maria.zq@example.com', allergy: 'sesame-zq', notes: 'secret-note-zq' };
const WRONG_PASSWORD = 'wrong-pass-zq7-secret';
const GHOST_EMAIL = 'ghost-zq@example.com';

let db: Awaited<ReturnType<typeof isolatedDatabase>>;
let server: ServerProcess;
let url: string;
let token: string;

beforeAll(async () => {
  db = await isolatedDatabase('mask');
  const port = await freePort();
  server = startServerProcess({
    DATABASE_URL: db.url,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    TOKEN_SECRET: TEST_TOKEN_SECRET,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  });
  await server.ready;
  url = `http://127.0.0.1:${port}`;
  token = (await gql<{ login: { token: string } }>(url, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', { e: ADMIN.email, p: ADMIN.password })).data!.login.token;
}, 60_000);
afterAll(async () => {
  killServerProcesses();
  await db?.drop();
});

function wsQuery(query: string, variables: Record<string, unknown>): Promise<unknown> {
  const client = createClient({ url: url.replace('http', 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  return new Promise((resolve) => {
    client.subscribe(
      { query, variables },
      {
        next: (r) => resolve(r),
        error: (e) => resolve({ errors: e }),
        complete: () => undefined,
      },
    );
  }).finally(() => client.dispose());
}

/** What must never reach a client: stack frames, SQL, class names, the guest's data. */
function expectClean(body: unknown): void {
  const text = JSON.stringify(body);
  for (const leak of [/\bat .*\.(js|ts):\d+/, /node_modules/, /\bselect\b|\binsert\b|"c0"/i, /Exception|TypeError|QueryFailedError/, /email_gone/, /example\.com/, /4155550188/]) {
    expect(text, `leaks ${leak}`).not.toMatch(leak);
  }
}

describe('error masking and log hygiene (NODE_ENV unset)', () => {
  it('masks unexpected errors on HTTP and graphql-ws, with a correlation id that finds the log entry, and logs nothing personal', { timeout: 60_000 }, async () => {
    // Ordinary traffic that carries every kind of personal data and secret.
    const created = await gql<{ createCustomer: { id: string } }>(
      url,
      'mutation($i: CustomerInput!) { createCustomer(input: $i) { id } }',
      { i: { firstName: 'Maria', phone: GUEST.phone, email: GUEST.email, allergies: [GUEST.allergy], notes: GUEST.notes } },
      token,
    );
    expect(created.errors).toBeUndefined();
    expect((await gql(url, 'mutation($p: String!) { checkInGuest(by: { phone: $p }) { message } }', { p: GUEST.phone }, token)).errors).toBeUndefined();
    const wrong = await gql(url, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', { e: ADMIN.email, p: WRONG_PASSWORD });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await gql(url, '{ me { id } }', {}, `${token}x`)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    // A client's own input is not echoed back in request errors either.
    const coerced = await gql(url, 'query($n: Int!) { menu { id } customer(id: "x") { usualDishes(limit: $n) { count } } }', { n: GUEST.email }, token);
    expect(coerced.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expectClean(coerced);

    // A fault: a column the application reads has gone. Every lookup that reaches SQL now fails.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('ALTER TABLE customer RENAME COLUMN email TO email_gone');
    await client.end();

    const lookup = 'query($e: String!) { customerLookup(by: { email: $e }) { id firstName } }';
    const overHttp = await gql(url, lookup, { e: GHOST_EMAIL }, token);
    const overWs = (await wsQuery(lookup, { e: GHOST_EMAIL })) as typeof overHttp;
    const ids: string[] = [];
    for (const res of [overHttp, overWs]) {
      const error = res.errors?.[0];
      expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      const id = String(error?.extensions?.correlationId);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(error?.message).toBe(`Internal server error (correlation id ${id})`);
      expect(Object.keys(error?.extensions ?? {}).sort()).toEqual(['code', 'correlationId']);
      expectClean(res);
      ids.push(id);
    }

    // A body that is not JSON gets a JSON error, not Express's page with a stack trace.
    const malformed = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{ menu { id } }"' });
    expect(malformed.status).toBe(400);
    const malformedBody = await malformed.json();
    expect(malformedBody).toEqual({ errors: [{ message: 'Malformed request body', extensions: { code: 'BAD_USER_INPUT' } }] });

    // The log: one entry per correlation id, with what went wrong but none of the data.
    await new Promise((r) => setTimeout(r, 200));
    const lines = server
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>);
    for (const id of ids) {
      const entry = lines.find((l) => l.correlationId === id);
      expect(entry, `log entry for ${id}`).toBeDefined();
      expect(entry!.level).toBe(50);
      expect(entry!.err.message).toMatch(/email/); // says what broke...
      expect(JSON.stringify(entry)).not.toContain(GHOST_EMAIL); // ...without the data in the statement
    }
    expect(lines.some((l) => l.event === 'login_failed')).toBe(true);
    const log = server.output();
    for (const secret of [ADMIN.password, WRONG_PASSWORD, token, token.split('.')[2]!, GUEST.phone, GUEST.phone.slice(2), GUEST.email, GHOST_EMAIL, ADMIN.email, GUEST.allergy, GUEST.notes]) {
      expect(log, `the log contains ${secret.slice(0, 12)}…`).not.toContain(secret);
    }
  });
});
