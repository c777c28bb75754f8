import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { createEventBus } from '../src/infra/pubsub.js';
import { createLogger } from '../src/infra/logger.js';
import { freePort } from './support/ports.js';
import { collect, settle, startTestApp, type TestApp } from './support/app.js';

// Two app instances on one PostgreSQL and one Redis, each with its own Redis-backed bus.
let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  a = await startTestApp({}, { redis: true });
  b = await startTestApp({}, { redis: true });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

describe('event bus over Redis', () => {
  it('delivers a menu change made through one instance to subscribers on both', async () => {
    const onA = collect<{ menuUpdates: { name: string; available: boolean; stock: number | null } }>(
      a.ws(a.tokens.KITCHEN),
      'subscription { menuUpdates { name available stock } }',
      {},
      1,
    );
    const onB = collect<{ menuUpdates: { name: string; available: boolean; stock: number | null } }>(
      b.ws(b.tokens.KITCHEN),
      'subscription { menuUpdates { name available stock } }',
      {},
      1,
    );
    await settle(300);
    const name = `Cross-instance ${randomUUID().slice(0, 6)}`;
    const res = await a.gql(
      `mutation($input: MenuItemInput!) { createMenuItem(input: $input) { id } }`,
      { input: { sku: `BUS-${randomUUID().slice(0, 8)}`, name, category: 'Mains', price: 900, station: 'grill', stock: 0 } },
      a.tokens.ADMIN,
    );
    expect(res.errors).toBeUndefined();
    const expected = { name, available: false, stock: 0 };
    expect((await onA.done)[0]!.data!.menuUpdates).toEqual(expected);
    expect((await onB.done)[0]!.data!.menuUpdates).toEqual(expected);
  });
});

describe('publishing', () => {
  it('delivers the events published together (sent to Redis as one pipeline) all, in the order published', async () => {
    const prefix = `${inject('redisPrefix')}order${randomUUID().slice(0, 6)}:`;
    const publisher = createEventBus({ redisUrl: inject('redisUrl'), keyPrefix: prefix });
    const listener = createEventBus({ redisUrl: inject('redisUrl'), keyPrefix: prefix });
    try {
      const take = async (topic: string, n: number) => {
        const it = listener.subscribe(topic)[Symbol.asyncIterator]();
        const got: unknown[] = [];
        return { it, done: (async () => { while (got.length < n) got.push((await it.next()).value); return got; })() };
      };
      const first = await take('FIRST', 30);
      const second = await take('SECOND', 30);
      await settle(200);
      // One synchronous run: the bus batches these into one write.
      for (let i = 0; i < 30; i++) {
        void publisher.publish('FIRST', { i });
        void publisher.publish('SECOND', { i: 100 + i });
      }
      expect(await first.done).toEqual(Array.from({ length: 30 }, (_, i) => ({ i })));
      expect(await second.done).toEqual(Array.from({ length: 30 }, (_, i) => ({ i: 100 + i })));
      for (const s of [first, second]) await s.it.return?.();
    } finally {
      await publisher.close();
      await listener.close();
    }
  });
});

describe('device revocation across instances', () => {
  it('signs a revoked device out on every instance at once: its open socket closes with 4403 and its token stops working', async () => {
    const issued = await a.gql<{ issueDeviceToken: string }>(
      'mutation($name: String!) { issueDeviceToken(role: KITCHEN, name: $name) }',
      { name: `revoke-${randomUUID().slice(0, 6)}` },
      a.tokens.ADMIN,
    );
    const token = issued.data!.issueDeviceToken;
    // Instance B has the device cached (one query), and holds its websocket open.
    expect((await b.gql('{ menu { id } }', {}, token)).errors).toBeUndefined();
    let closedWith: number | undefined;
    const closed = new Promise<number>((resolve) =>
      b.ws(token, {
        onClosed: (code) => {
          closedWith = code;
          resolve(code);
        },
      }),
    );
    await settle(300);
    expect(closedWith).toBeUndefined();

    const devices = await a.gql<{ devices: { id: string; name: string }[] }>('{ devices { id name } }', {}, a.tokens.ADMIN);
    const deviceId = devices.data!.devices.find((d) => d.name.startsWith('revoke-'))!.id;
    expect((await a.gql('mutation($id: ID!) { revokeDeviceToken(id: $id) }', { id: deviceId }, a.tokens.ADMIN)).errors).toBeUndefined();

    expect(await closed).toBe(4403);
    // B's cached lookup was dropped by the bus message, well before its 15 s TTL.
    expect((await b.gql('{ menu { id } }', {}, token)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('kitchen fan-out over Redis', () => {
  it('brings a ticket placed through one instance to a kitchen screen subscribed on the other', async () => {
    const station = `xinst${randomUUID().slice(0, 6)}`;
    const item = await a.gql<{ createMenuItem: { id: string } }>(
      `mutation($input: MenuItemInput!) { createMenuItem(input: $input) { id } }`,
      { input: { sku: `KX-${randomUUID().slice(0, 8)}`, name: 'Cross-instance burger', category: 'Mains', price: 1500, station } },
      a.tokens.ADMIN,
    );
    const onB = collect<{ kitchenEvents: { type: string; ticket: { station: string; items: { name: string }[] } } }>(
      b.ws(b.tokens.KITCHEN),
      'subscription($s: String) { kitchenEvents(station: $s) { type ticket { station items { name } } } }',
      { s: station },
      1,
    );
    await settle(300);
    const placed = await a.gql(
      'mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id } }',
      { i: { idempotencyKey: randomUUID(), items: [{ menuItemId: item.data!.createMenuItem.id, quantity: 1 }] } },
      a.tokens.SERVER,
    );
    expect(placed.errors).toBeUndefined();
    const [event] = await onB.done;
    expect(event!.data!.kitchenEvents).toEqual({ type: 'CREATED', ticket: { station, items: [{ name: 'Cross-instance burger' }] } });
  });
});

describe('greetings over Redis', () => {
  it('greets a guest checked in on one instance on the host screens of the other', async () => {
    const phone = `+1510555${String(Math.floor(Math.random() * 9000) + 1000)}`;
    const created = await a.gql('mutation($i: CustomerInput!) { createCustomer(input: $i) { id } }', { i: { firstName: 'Rosa', phone } }, a.tokens.MANAGER);
    expect(created.errors).toBeUndefined();
    const onB = collect<{ guestArrivals: { message: string; customer: { firstName: string } } }>(
      b.ws(b.tokens.HOST),
      'subscription { guestArrivals { message customer { firstName } } }',
      {},
      1,
    );
    await settle(300);
    const res = await a.gql('mutation($p: String!) { checkInGuest(by: { phone: $p }, partySize: 2) { message } }', { p: phone }, a.tokens.HOST);
    expect(res.errors).toBeUndefined();
    const [greeting] = await onB.done;
    expect(greeting!.data!.guestArrivals).toEqual({ message: "Welcome, Rosa! So glad you're joining us for the first time.", customer: { firstName: 'Rosa' } });
  });
});

describe('when Redis goes away', () => {
  it('ends a publish or subscribe that Redis never answered with a warning, not an unhandled rejection', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const redis: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const lines: string[] = [];
    const log = createLogger({ LOG_LEVEL: 'warn' }, { write: (line: string) => void lines.push(line) });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const bus = createEventBus({ redisUrl: `redis://127.0.0.1:${port}`, keyPrefix: `t${randomUUID().slice(0, 8)}:`, log });
      await until(async () => (await bus.redisHealthy()) === true);
      // Redis stops answering (the connections stay open); the bus closes with commands unanswered.
      redis.kill('SIGSTOP');
      await settle(100);
      await bus.publish('SOMETHING_CHANGED', { id: 1 });
      // Two in one run go as one pipeline: each fails on its own.
      void bus.publish('SOMETHING_CHANGED', { id: 2 });
      void bus.publish('SOMETHING_CHANGED', { id: 3 });
      const listening = bus.subscribe('SOMETHING_ELSE')[Symbol.asyncIterator]();
      void listening.next();
      await settle(100);
      await bus.close();
      // The sockets close (and the commands fail) once Redis's side goes too.
      redis.kill('SIGKILL');
      await new Promise((r) => redis.once('exit', r));
      await settle(300);
      expect(unhandled).toEqual([]);
      expect(lines.filter((l) => l.includes('event bus command failed')).map((l) => JSON.parse(l).command as string).sort()).toEqual(['publish', 'publish', 'publish', 'subscribe']);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      redis.kill('SIGKILL');
    }
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await settle(50);
  }
}
