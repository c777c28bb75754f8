import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startTestApp, type TestApp } from './support/app.js';
import { LIMITS } from '../src/common/limits.js';
import WebSocket from 'ws';
import { Role } from '../src/common/roles.js';

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

describe('limits are enforced before any resolver runs', () => {
  it('calls no resolver for an operation over a limit, on HTTP or graphql-ws', async () => {
    // Count calls on the very service instances the resolvers use.
    const calls = { menu: 0, orders: 0 };
    const menu = t.app.services.menu;
    const orders = t.app.services.orderHistory;
    const realMenu = menu.menu.bind(menu);
    const realOrders = orders.orders.bind(orders);
    menu.menu = (ctx) => (calls.menu++, realMenu(ctx));
    orders.orders = (ctx, o) => (calls.orders++, realOrders(ctx, o));
    try {
      const over = [deepQuery(5), aliases(LIMITS.aliases + 5), `{ menu { ${'id '.repeat(LIMITS.tokens)} } }`, `{ menu { id ${'@include(if: true) '.repeat(LIMITS.directives + 2)} } }`];
      for (const query of over) expect((await t.gql(query, {}, t.tokens.MANAGER)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const client = t.ws(t.tokens.MANAGER);
      for (const query of over) await expect(collect(client, query, {}, 1).done).rejects.toThrow(/BAD_USER_INPUT/);
      expect(calls).toEqual({ menu: 0, orders: 0 });
      // The same operations within the limits do reach the resolvers (the counters work).
      await t.gql(aliases(2), {}, t.tokens.MANAGER);
      await t.gql(deepQuery(1), {}, t.tokens.MANAGER);
      expect(calls.menu).toBe(2);
      expect(calls.orders).toBe(1);
    } finally {
      menu.menu = realMenu;
      orders.orders = realOrders;
    }
  });
});

describe('the websocket authentication lifecycle', () => {
  const raw = (init?: Record<string, unknown>) =>
    new Promise<number>((resolve) => {
      const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws');
      socket.on('open', () => init && socket.send(JSON.stringify({ type: 'connection_init', payload: init })));
      socket.on('close', (code) => resolve(code));
    });

  it('closes a socket that sends no connection_init in time with 4408', { timeout: 15_000 }, async () => {
    const started = Date.now();
    expect(await raw()).toBe(4408);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
  });

  it('closes a socket with a bad token with 4403', async () => {
    expect(await raw({ authorization: 'Bearer posdev_not-a-device' })).toBe(4403);
    expect(await raw({ authorization: 'Bearer not-a-jwt' })).toBe(4403);
  });

  it("closes a device's open socket when its token is revoked, and refuses it afterwards", async () => {
    const token = await t.app.services.auth.issueDeviceToken(t.as(Role.ADMIN), Role.KITCHEN, `revoked screen ${Date.now()}`);
    const closed = new Promise<number>((resolve) => {
      const client = t.ws(token, { onClosed: (code) => resolve(code) });
      client.subscribe({ query: 'subscription { menuUpdates { id } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    });
    await new Promise((r) => setTimeout(r, 300));
    const device = (await t.app.services.auth.devices(t.as(Role.ADMIN))).find((d) => d.name.startsWith('revoked screen'))!;
    await t.app.services.auth.revokeDevice(t.as(Role.ADMIN), device.id);
    expect(await closed).toBe(4403);
    expect(await raw({ authorization: `Bearer ${token}` })).toBe(4403);
  });
});
