import { afterAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { gql, TEST_TOKEN_SECRET } from './support/app.js';
import { freePort } from './support/ports.js';
import { killServerProcesses, startServerProcess as start } from './support/server-process.js';

afterAll(killServerProcesses);

describe('pnpm serve (the built server as a process)', () => {
  it('prints a ready line with its URL, serves health checks, and shuts down gracefully on SIGTERM', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const p = start({
      DATABASE_URL: inject('databaseUrl'),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      TOKEN_SECRET: TEST_TOKEN_SECRET,
      ADMIN_EMAIL: 'boot-admin@test.pos',
      ADMIN_PASSWORD: 'boot-admin-password',
    });
    const line = await p.ready;
    expect(line).toContain(`http://127.0.0.1:${port}`);
    const url = `http://127.0.0.1:${port}`;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ database: true });

    // The admin from ADMIN_EMAIL exists and can open an authenticated websocket.
    const login = await gql<{ login: { token: string } }>(url, 'mutation { login(email: "boot-admin@test.pos", password: "boot-admin-password") { token } }');
    expect(login.errors).toBeUndefined();
    const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
    const acked = new Promise<void>((resolve) => socket.on('message', (m) => JSON.parse(String(m)).type === 'connection_ack' && resolve()));
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${login.data!.login.token}` } })));
    await acked;
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));

    p.child.kill('SIGTERM');
    expect(await closed).toBeGreaterThanOrEqual(1000);
    expect(await p.exited).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('writes one structured JSON log line per request, carrying the correlation id the response echoes', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const p = start({ DATABASE_URL: inject('databaseUrl'), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', TOKEN_SECRET: TEST_TOKEN_SECRET });
    await p.ready;
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'till-7.req-1' },
      body: JSON.stringify({ query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', variables: { e: 'nobody@test.pos', p: 'secret-password-9' } }),
    });
    expect(res.headers.get('x-request-id')).toBe('till-7.req-1');
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    await new Promise((r) => setTimeout(r, 200));
    p.child.kill('SIGTERM');
    await p.exited;
    const lines = p.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = lines.find((l) => l.requestId === 'till-7.req-1' && l.msg === 'graphql request');
    expect(line).toMatchObject({ operation: null, status: 200, errors: ['UNAUTHENTICATED'], service: 'pos-crm' });
    expect(typeof line!.ms).toBe('number');
    expect(p.output()).not.toContain('secret-password-9');
  });

  it('refuses to start on a bad configuration value, naming it', { timeout: 30_000 }, async () => {
    const p = start({ DATABASE_URL: inject('databaseUrl'), PORT: 'not-a-port' });
    await expect(p.ready).rejects.toThrow(/PORT/);
    expect(await p.exited).toBe(2);
  });

  it('refuses the development token secret in production', { timeout: 30_000 }, async () => {
    const p = start({ DATABASE_URL: inject('databaseUrl'), NODE_ENV: 'production' });
    await expect(p.ready).rejects.toThrow(/TOKEN_SECRET/);
    expect(await p.exited).toBe(2);
  });
});
