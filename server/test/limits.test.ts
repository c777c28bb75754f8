import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startTestApp, type TestApp } from './support/app.js';
import { LIMITS } from '../src/common/limits.js';
import WebSocket from 'ws';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

// A query nested past the depth limit, through the types that nest (orders -> customer -> orders ...).
function deepQuery(levels: number): string {
  let inner = 'id';
  for (let i = 0; i < levels; i++) inner = `customer { orders(first: 1) { nodes { ${inner} } } }`;
  return `{ orders(first: 1) { nodes { ${inner} } } }`;
}
const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `m${i}: menu { id }`).join(' ')} }`;

describe('operation limits on HTTP and websockets', () => {
  it('runs ordinary screen queries', async () => {
    expect((await t.gql(deepQuery(1), {}, t.tokens.MANAGER)).errors).toBeUndefined();
    expect((await t.gql(aliases(3), {}, t.tokens.MANAGER)).errors).toBeUndefined();
  });

  it('refuses over-deep queries, too many aliases and too many tokens over HTTP with BAD_USER_INPUT', async () => {
    for (const [name, query] of [
      ['depth', deepQuery(5)],
      ['aliases', aliases(LIMITS.aliases + 5)],
      ['tokens', `{ menu { ${'id '.repeat(LIMITS.tokens)} } }`],
    ] as const) {
      const res = await t.gql(query, {}, t.tokens.MANAGER);
      expect(res.errors?.[0]?.extensions?.code, name).toBe('BAD_USER_INPUT');
      expect(res.data ?? null, name).toBeNull();
    }
  });

  it('refuses batched HTTP requests', async () => {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.tokens.MANAGER}` },
      body: JSON.stringify([{ query: '{ menu { id } }' }, { query: '{ menu { id } }' }]),
    });
    expect(res.status).toBe(400);
  });

  it('applies the same limits over graphql-ws', async () => {
    const client = t.ws(t.tokens.KITCHEN);
    const deep = `subscription { menuUpdates { id ${'name '.repeat(LIMITS.tokens)} } }`;
    await expect(collect(client, deep, {}, 1).done).rejects.toThrow(/BAD_USER_INPUT/);
    const many = `subscription { menuUpdates { ${Array.from({ length: LIMITS.aliases + 5 }, (_, i) => `a${i}: id`).join(' ')} } }`;
    await expect(collect(client, many, {}, 1).done).rejects.toThrow(/BAD_USER_INPUT.*[Aa]lias|[Aa]lias.*BAD_USER_INPUT/);
    const ok = collect(client, 'subscription { menuUpdates { id } }', {}, 1, 1000);
    await expect(ok.done).rejects.toThrow(/timed out/); // accepted, simply no event in a second
  });
});

describe('websocket origins', () => {
  const open = (origin?: string) =>
    new Promise<'open' | 'refused'>((resolve) => {
      const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws', origin ? { origin } : {});
      socket.on('open', () => {
        socket.close();
        resolve('open');
      });
      socket.on('unexpected-response', () => resolve('refused'));
      socket.on('error', () => resolve('refused'));
    });

  it('refuses a page on another site, and lets native clients and the same origin in', async () => {
    expect(await open('https://evil.example')).toBe('refused');
    expect(await open()).toBe('open');
    expect(await open(t.url)).toBe('open');
  });
});
