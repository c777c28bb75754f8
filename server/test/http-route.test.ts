import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { configFrom } from '../src/config.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';

const SITE = 'https://pos.example.com';

/**
 * POST /graphql with a JSON body takes a short way to Apollo (common/graphql-http.ts); anything
 * else, e.g. the same request with a query string, goes through Express's cors, express.json and
 * expressMiddleware. Both must answer alike: status, body and headers (Express adds an ETag).
 */
describe('the short POST /graphql route', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'production', ALLOWED_ORIGINS: SITE });
  });
  afterAll(() => t?.close());

  async function both(headers: Record<string, string>, body: string) {
    const call = async (path: string) => {
      const res = await fetch(`${t.url}${path}`, { method: 'POST', headers, body });
      const seen = Object.fromEntries(
        [...res.headers].filter(([k]) => !['date', 'etag', 'connection', 'keep-alive', 'content-length'].includes(k)).map(([k, v]) => [k, k === 'x-request-id' && !headers['x-request-id'] ? '<generated>' : k === 'server-timing' && /^app;dur=\d+\.\d{3}$/.test(v) ? '<timed>' : v]),
      );
      return { status: res.status, headers: seen, body: await res.text() };
    };
    const short = await call('/graphql');
    const express = await call('/graphql?via=express');
    expect(short).toEqual(express);
    return short;
  }

  const json = { 'content-type': 'application/json' };

  it('answers a query, an unauthenticated field and a bad token as Express does', async () => {
    const ok = await both({ ...json, authorization: `Bearer ${t.tokens.SERVER}` }, JSON.stringify({ query: '{ me { role } }' }));
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ data: { me: { role: 'SERVER' } } });
    expect(ok.headers['x-request-id']).toBe('<generated>');
    expect(ok.headers['server-timing']).toBe('<timed>');
    // The two routes really are different ones: only Express's sets an ETag.
    const etag = async (path: string) =>
      (await fetch(`${t.url}${path}`, { method: 'POST', headers: json, body: JSON.stringify({ query: '{ __typename }' }) })).headers.get('etag');
    expect(await etag('/graphql')).toBeNull();
    expect(await etag('/graphql?via=express')).not.toBeNull();
    expect(JSON.parse((await both(json, JSON.stringify({ query: '{ me { role } }' }))).body).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await both({ ...json, authorization: 'Bearer nonsense' }, JSON.stringify({ query: '{ me { role } }' }))).status).toBe(401);
  });

  it('keeps the caller’s request id and the CORS headers for allowed origins only', async () => {
    const body = JSON.stringify({ query: '{ __typename }' });
    expect((await both({ ...json, 'x-request-id': 'till-3.req-42' }, body)).headers['x-request-id']).toBe('till-3.req-42');
    const allowed = await both({ ...json, origin: SITE }, body);
    expect(allowed.headers).toMatchObject({ 'access-control-allow-origin': SITE, 'access-control-expose-headers': 'x-request-id', vary: 'Origin' });
    const other = await both({ ...json, origin: 'https://evil.example' }, body);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses bodies that are not a JSON object or array, too large, or empty, as Express does', async () => {
    expect((await both(json, '{"query": "{ menu { id } }"')).status).toBe(400);
    expect((await both(json, '"a string"')).status).toBe(400);
    expect((await both(json, '   ')).status).toBe(400);
    const large = await both(json, JSON.stringify({ query: '{ __typename }', variables: { x: 'y'.repeat(300 * 1024) } }));
    expect(large.status).toBe(413);
    expect(JSON.parse(large.body)).toEqual({ errors: [{ message: 'Request body too large', extensions: { code: 'BAD_USER_INPUT' } }] });
    expect((await both(json, '')).status).toBe(400);
    expect((await both({ ...json, 'apollo-require-preflight': 'true' }, JSON.stringify({ query: '{ __typename }' }))).status).toBe(200);
  });

  it('times each response on the server, from the request’s arrival to its headers, on both routes', async () => {
    // The body follows the headers after a pause: the server's time includes it, and no more
    // than the whole exchange the client saw.
    const timed = (path: string) =>
      new Promise<{ serverMs: number; clientMs: number; status: number }>((resolve, reject) => {
        const started = performance.now();
        const req = request(`${t.url}${path}`, { method: 'POST', headers: { ...json, 'content-length': '26' } }, (res) => {
          res.resume();
          res.on('end', () => {
            const header = String(res.headers['server-timing']);
            const m = /^app;dur=(\d+\.\d+)$/.exec(header);
            if (!m) return reject(new Error(`Server-Timing: ${header}`));
            resolve({ serverMs: Number(m[1]), clientMs: performance.now() - started, status: res.statusCode ?? 0 });
          });
        });
        req.on('error', reject);
        req.flushHeaders();
        setTimeout(() => req.end('{"query":"{ __typename }"}'), 150);
      });
    for (const path of ['/graphql', '/graphql?via=express']) {
      const r = await timed(path);
      expect(r.status).toBe(200);
      expect(r.serverMs).toBeGreaterThanOrEqual(145);
      expect(r.serverMs).toBeLessThanOrEqual(r.clientMs);
    }
  });
});

describe("the caller's address on the short route", () => {
  const loginFailedAddress = async (t: TestApp, path: string, forwardedFor: string) => {
    const email = (await t.gql<{ me: { email: string } }>('{ me { email } }', {}, t.tokens.SERVER)).data!.me.email;
    const marker = `wrong-password-${forwardedFor}`;
    await fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', variables: { e: email, p: marker } }),
    });
    const log = await t.gql<{ auditLog: { nodes: { address: string | null }[] } }>(
      '{ auditLog(action: "login_failed", first: 1) { nodes { address } } }',
      {},
      t.tokens.ADMIN,
    );
    return log.data!.auditLog.nodes[0]!.address;
  };

  it("is the proxy's forwarded address when TRUST_PROXY trusts it, as on Express's route", async () => {
    const t = await startTestApp({ NODE_ENV: 'production', ALLOWED_ORIGINS: SITE, TRUST_PROXY: 'loopback' });
    try {
      expect(await loginFailedAddress(t, '/graphql', '203.0.113.7')).toBe('203.0.113.7');
      expect(await loginFailedAddress(t, '/graphql?via=express', '203.0.113.8')).toBe('203.0.113.8');
    } finally {
      await t.close();
    }
  });

  it('is the connection\'s own address when no proxy is trusted, whatever the header says', async () => {
    const t = await startTestApp({ NODE_ENV: 'production', ALLOWED_ORIGINS: SITE });
    try {
      expect(await loginFailedAddress(t, '/graphql', '203.0.113.9')).toMatch(/127\.0\.0\.1/);
      expect(await loginFailedAddress(t, '/graphql?via=express', '203.0.113.9')).toMatch(/127\.0\.0\.1/);
    } finally {
      await t.close();
    }
  });
});

describe('idle keep-alive connections', () => {
  it('stay open HTTP_KEEP_ALIVE_SECONDS, by default longer than the reverse proxy keeps its own', async () => {
    const nginx = readFileSync(new URL('../../deploy/nginx.conf', import.meta.url), 'utf8');
    const proxyIdle = Number(/keepalive_timeout\s+(\d+)s;/.exec(nginx)?.[1]);
    expect(proxyIdle).toBeGreaterThan(0);
    expect(configFrom({}).HTTP_KEEP_ALIVE_SECONDS).toBeGreaterThan(proxyIdle);

    const t = await startTestApp({ HTTP_KEEP_ALIVE_SECONDS: 1 });
    try {
      const { port } = new URL(t.url);
      const idleMs = await new Promise<number>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1');
        const body = '{"query":"{ __typename }"}';
        let answeredAt = 0;
        socket.on('data', (chunk) => {
          if (!answeredAt && String(chunk).startsWith('HTTP/1.1 200')) answeredAt = performance.now();
        });
        socket.on('close', () => (answeredAt ? resolve(performance.now() - answeredAt) : reject(new Error('closed before answering'))));
        socket.on('error', reject);
        socket.write(`POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      });
      expect(idleMs).toBeGreaterThanOrEqual(900);
      expect(idleMs).toBeLessThan(3_000);
    } finally {
      await t.close();
    }
  });
});
