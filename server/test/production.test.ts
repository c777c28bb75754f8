import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';

const SITE = 'https://pos.example.com';

async function preflight(t: TestApp, origin: string) {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
  });
  return { status: res.status, allowOrigin: res.headers.get('access-control-allow-origin'), allowHeaders: res.headers.get('access-control-allow-headers') };
}

describe('production mode (NODE_ENV=production)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'production', ALLOWED_ORIGINS: SITE });
  });
  afterAll(() => t.close());

  it('turns introspection off', async () => {
    const res = await t.gql('{ __schema { queryType { name } } }', {}, t.tokens.ADMIN);
    expect(res.data?.__schema).toBeUndefined();
    expect(res.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('answers CORS preflights for the configured origins only (no localhost leniency)', async () => {
    expect(await preflight(t, SITE)).toMatchObject({ status: 204, allowOrigin: SITE });
    expect((await preflight(t, SITE)).allowHeaders).toContain('authorization');
    expect((await preflight(t, 'https://evil.example')).allowOrigin).toBeNull();
    expect((await preflight(t, 'http://localhost:5173')).allowOrigin).toBeNull();
  });

  it('puts no stack trace in errors', async () => {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.tokens.SERVER}` },
      body: JSON.stringify({ query: '{ order(id: "not-a-uuid") { id } nope }' }),
    });
    const body = (await res.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors.length).toBeGreaterThan(0);
    for (const e of body.errors) expect(e.extensions.stacktrace).toBeUndefined();
    expect(JSON.stringify(body)).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+/);
  });
});

describe('development mode', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'development' });
  });
  afterAll(() => t.close());

  it('keeps introspection on for tooling, and lets the Vite dev server on localhost call the API', async () => {
    const res = await t.gql<{ __schema: { queryType: { name: string } } }>('{ __schema { queryType { name } } }', {}, t.tokens.ADMIN);
    expect(res.data?.__schema.queryType.name).toBe('Query');
    expect((await preflight(t, 'http://localhost:5173')).allowOrigin).toBe('http://localhost:5173');
    expect((await preflight(t, 'https://evil.example')).allowOrigin).toBeNull();
  });
});
