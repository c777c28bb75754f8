import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { settle, startTestApp, type TestApp } from './support/app.js';
import { customer, key, menuItem } from './support/factories.js';
import { freePort } from './support/ports.js';
import { Role } from '../src/common/roles.js';
import { PaymentMethod } from '../src/modules/orders/order.entity.js';
import { classify } from '../src/modules/customers/lifecycle.js';
import pg from 'pg';
import { configFrom } from '../src/config.js';
import { migrate, openDatabase } from '../src/infra/database.js';
import { createLogger } from '../src/infra/logger.js';

const DAY = 86_400_000;
/** The app's clock: real time unless a test freezes it. */
let frozen: Date | null = null;
const clock = () => frozen ?? new Date();
const queries: string[] = [];
let t: TestApp;
let redis: Redis;
let dish: { id: string; name: string };

beforeAll(async () => {
  t = await startTestApp({}, { redis: true, onQuery: (sql) => queries.push(sql), clock });
  redis = new Redis(inject('redisUrl'));
  dish = await menuItem(t, { price: 2_000, name: `Margherita ${key().slice(0, 4)}` });
});
afterAll(async () => {
  redis?.disconnect();
  await t?.close();
});

/** A phone number no other guest of this run has (a random one collided now and then: CONFLICT). */
let phones = 0;
const phone = () => `+1628555${String(1000 + phones++).padStart(4, '0')}`;
// What the register (a SERVER) sees of a guest: no contact data, notes or spend.
const LOOKUP = `query($by: CustomerLookupInput!) { customerLookup(by: $by) {
  id firstName loyaltyCode allergies tags lifecycleStage
  stats { visitCount lastVisitAt }
  usualDishes { count menuItem { id name } }
} }`;

async function lookup(by: Record<string, string>, token = t.tokens.SERVER) {
  queries.length = 0;
  const res = await t.gql<{ customerLookup: any }>(LOOKUP, { by }, token);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return { guest: res.data!.customerLookup, sql: queries.length };
}

/** A paid visit through the real services, at a chosen time. */
async function visit(t: TestApp, customerId: string, at: Date, items = [{ menuItemId: dish.id, quantity: 1 }], amount = 100_000) {
  const order = await t.app.services.orders.placeOrder(t.as(Role.SERVER), { idempotencyKey: key(), customerId, items, sendToKitchen: false }, { at });
  await t.app.services.orders.checkout(t.as(Role.SERVER), order.id, { idempotencyKey: key(), payments: [{ method: PaymentMethod.CASH, amount }] }, { at });
}

async function redisDump(prefix: string): Promise<string> {
  const keys = await redis.keys(`${prefix}*`);
  const values = keys.length ? await redis.mget(...keys) : [];
  return keys.join('\n') + '\n' + values.join('\n');
}

describe('customerLookup and the profile cache', () => {
  it('misses once, then serves the whole register profile from Redis with no SQL', async () => {
    const p = phone();
    const email = `maria-${key().slice(0, 6)}@example.com`;
    const g = await customer(t, { firstName: 'Maria', phone: p, email, allergies: ['peanuts'], tags: ['vip'] });
    await visit(t, g.id, new Date(clock().getTime() - 3 * DAY));
    const written = `(${p.slice(2, 5)}) ${p.slice(5, 8)}-${p.slice(8)}`;
    const cold = await lookup({ phone: written });
    expect(cold.sql).toBeGreaterThan(0);
    expect(cold.guest).toMatchObject({ id: g.id, firstName: 'Maria', allergies: ['peanuts'], tags: ['vip'], stats: { visitCount: 1 } });
    const warm = await lookup({ phone: p });
    expect(warm.sql).toBe(0);
    expect(warm.guest).toEqual(cold.guest);
    expect(warm.guest.usualDishes).toEqual([{ count: 1, menuItem: { id: dish.id, name: dish.name } }]);
    expect(await redis.exists(`${t.config.REDIS_KEY_PREFIX}cust:p:${g.id}`)).toBe(1);
    // Email in any case, loyalty code typed loosely: same guest.
    expect((await lookup({ email: email.toUpperCase() })).guest.id).toBe(g.id);
    expect((await lookup({ loyaltyCode: g.loyaltyCode.toLowerCase().replace('-', '') })).guest.id).toBe(g.id);
    expect((await t.gql(LOOKUP, { by: { phone: p, email: 'x@example.com' } }, t.tokens.SERVER)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await lookup({ phone: '+16285550000' })).guest).toBeNull();
  });

  it('reads a cold register profile in one SQL statement, with one or seven usual dishes and loyalty points', async () => {
    // The register's whole document: usual dishes, points, tier, rewards and offers.
    const REGISTER = `query($by: CustomerLookupInput!) { customerLookup(by: $by) {
      id firstName stats { visitCount } usualDishes(limit: 5) { count menuItem { id name price } }
      loyalty { points lifetimePoints tier availableRewards { id } } offers { id title }
    } }`;
    const statementsFor = async (p: string) => {
      queries.length = 0;
      const res = await t.gql<{ customerLookup: any }>(REGISTER, { by: { phone: p } }, t.tokens.SERVER);
      expect(res.errors).toBeUndefined();
      return { guest: res.data!.customerLookup, sql: queries.length };
    };
    const extra = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => menuItem(t, { price: 1_000 + i })));
    const [few, many] = [phone(), phone()];
    const a = await customer(t, { phone: few });
    const b = await customer(t, { phone: many });
    await visit(t, a.id, clock());
    await visit(t, b.id, clock(), [{ menuItemId: dish.id, quantity: 3 }, ...extra.map((m, i) => ({ menuItemId: m.id, quantity: 1 + (i % 2) }))]);
    const points = async (id: string) =>
      (await t.orm.em.fork().execute<{ points: number; lifetime_points: number }[]>('select points, lifetime_points from loyalty_account where customer_id = ?', [id]))[0];

    // Loyalty's catalog of rewards and promotions is read once per instance (and per change), not per lookup.
    const first = phone();
    await customer(t, { phone: first });
    await statementsFor(first);
    const coldFew = await statementsFor(few);
    const coldMany = await statementsFor(many);
    console.info(`SQL statements per cold lookup: ${coldFew.sql} with one usual dish, ${coldMany.sql} with seven`);
    expect(coldFew.sql).toBe(1);
    expect(coldMany.sql).toBe(1);
    expect(coldFew.guest.usualDishes).toEqual([{ count: 1, menuItem: { id: dish.id, name: dish.name, price: 2_000 } }]);
    expect(coldMany.guest.usualDishes).toHaveLength(5);
    expect(coldMany.guest.usualDishes[0]).toEqual({ count: 3, menuItem: { id: dish.id, name: dish.name, price: 2_000 } });
    expect(coldMany.guest.usualDishes.slice(1).map((d: { count: number }) => d.count)).toEqual([2, 2, 2, 1]);
    for (const [cold, id] of [[coldFew, a.id], [coldMany, b.id]] as const) {
      const account = await points(id);
      expect(account?.points).toBeGreaterThan(0);
      expect(cold.guest.loyalty).toMatchObject({ points: account!.points, lifetimePoints: account!.lifetime_points });
    }
    // A guest without a loyalty account reads as zero points, still in one statement, and a cold
    // lookup forks no EntityManager either (the ORM's own lends the pool to the one read).
    const none = phone();
    await customer(t, { phone: none });
    const coldForks = vi.spyOn(t.orm.em, 'fork');
    const coldNone = await statementsFor(none);
    const forkedCold = coldForks.mock.calls.length;
    coldForks.mockRestore();
    expect(coldNone.sql).toBe(1);
    expect(forkedCold).toBe(0);
    expect(coldNone.guest).toMatchObject({ usualDishes: [], loyalty: { points: 0, lifetimePoints: 0 } });

    // Warm: no SQL, and no EntityManager fork either (the request's fork is made on first use).
    const fork = vi.spyOn(t.orm.em, 'fork');
    const warm = await statementsFor(many);
    const forks = fork.mock.calls.length;
    fork.mockRestore();
    expect(warm.sql).toBe(0);
    expect(forks).toBe(0);
    expect(warm.guest).toEqual(coldMany.guest);
  });

  it('is never stale after checkout, updateCustomer or addInteraction', async () => {
    const p = phone();
    const g = await customer(t, { firstName: 'Ken', phone: p });
    await lookup({ phone: p });
    expect((await lookup({ phone: p })).sql).toBe(0);

    await visit(t, g.id, clock());
    const afterCheckout = await lookup({ phone: p });
    expect(afterCheckout.sql).toBeGreaterThan(0);
    expect(afterCheckout.guest.stats.visitCount).toBe(1);

    await t.gql('mutation($id: ID!) { updateCustomer(id: $id, input: { allergies: ["shellfish"] }) { id } }', { id: g.id }, t.tokens.SERVER);
    // The write deleted the profile and its lookup key, and left a tombstone (so a read from just
    // before the write cannot fill the old profile back) that expires on its own.
    const keyOf = (kind: string, rest: string) => `${t.config.REDIS_KEY_PREFIX}cust:${kind}:${rest}`;
    expect(await redis.exists(keyOf('p', g.id), keyOf('k', `phone:${p}`))).toBe(0);
    expect(await redis.pttl(keyOf('t', g.id))).toBeGreaterThan(0);
    expect((await lookup({ phone: p })).guest.allergies).toEqual(['shellfish']);

    await lookup({ phone: p });
    await t.gql('mutation($id: ID!) { addInteraction(customerId: $id, input: { kind: NOTE, note: "prefers the patio" }) { id } }', { id: g.id }, t.tokens.SERVER);
    expect((await lookup({ phone: p })).sql).toBeGreaterThan(0);

    const moved = phone();
    await t.gql('mutation($id: ID!, $p: String!) { updateCustomer(id: $id, input: { phone: $p }) { id } }', { id: g.id, p: moved }, t.tokens.SERVER);
    expect((await lookup({ phone: p })).guest).toBeNull();
    expect((await lookup({ phone: moved })).guest.id).toBe(g.id);
  });

  it('serves the warm path with no SQL from the in-process cache too (no REDIS_URL)', async () => {
    const local = await startTestApp({}, { onQuery: (sql) => queries.push(sql) });
    try {
      const p = phone();
      await customer(local, { phone: p });
      const q = (token: string) => local.gql<{ customerLookup: { id: string } }>('query($p: String!) { customerLookup(by: { phone: $p }) { id stats { visitCount } } }', { p }, token);
      await q(local.tokens.SERVER);
      queries.length = 0;
      expect((await q(local.tokens.SERVER)).data!.customerLookup).not.toBeNull();
      expect(queries.length).toBe(0);
    } finally {
      await local.close();
    }
  });

  it('answers from PostgreSQL within the timeout while Redis is down, and caches again when it is back', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const startRedis = () => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    let server: ChildProcess = startRedis();
    const flaky = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${port}`, CACHE_TIMEOUT_MS: 50 }, { onQuery: (sql) => queries.push(sql) });
    try {
      await settle(500);
      const p = phone();
      await customer(flaky, { firstName: 'Ola', phone: p });
      const q = async () => {
        queries.length = 0;
        const started = Date.now();
        const res = await flaky.gql<{ customerLookup: { firstName: string } }>('query($p: String!) { customerLookup(by: { phone: $p }) { firstName } }', { p }, flaky.tokens.SERVER);
        return { name: res.data?.customerLookup?.firstName, errors: res.errors, sql: queries.length, ms: Date.now() - started };
      };
      await q();
      expect((await q()).sql).toBe(0); // warm

      server.kill('SIGKILL');
      await new Promise((r) => server.once('exit', r));
      for (let i = 0; i < 3; i++) {
        const down = await q();
        expect(down).toMatchObject({ name: 'Ola', errors: undefined });
        expect(down.sql).toBeGreaterThan(0);
        expect(down.ms).toBeLessThan(1_000);
      }

      server = startRedis();
      let cachedAgain = false;
      for (let i = 0; i < 40 && !cachedAgain; i++) {
        await settle(250);
        await q();
        cachedAgain = (await q()).sql === 0;
      }
      expect(cachedAgain).toBe(true);
    } finally {
      await flaky.close();
      server.kill('SIGKILL');
    }
  });
  it('reads PostgreSQL without waiting for the cache when this instance has not seen the key cached; asks the cache alone when it has', { timeout: 30_000 }, async () => {
    // A Redis of its own, paused (CLIENT PAUSE: a real server that does not answer for a while).
    const port = await freePort();
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const app = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${port}`, CACHE_TIMEOUT_MS: 5_000 }, { onQuery: (sql) => queries.push(sql) });
    const admin = new Redis(`redis://127.0.0.1:${port}`);
    try {
      await settle(300);
      const [cold, warm] = [phone(), phone()];
      await customer(app, { firstName: 'Cold', phone: cold });
      await customer(app, { firstName: 'Warm', phone: warm });
      const q = (p: string) => app.gql<{ customerLookup: { firstName: string } }>('query($p: String!) { customerLookup(by: { phone: $p }) { firstName } }', { p }, app.tokens.SERVER);
      await q(warm);
      await settle(100); // the fill has been written
      const profileReads = () => queries.filter((sql) => sql.includes('"profile"')).length;

      for (const [p, name, readsWhilePaused] of [
        [cold, 'Cold', 1],
        [warm, 'Warm', 0],
      ] as const) {
        queries.length = 0;
        await admin.client('PAUSE', 1_000, 'ALL');
        const answer = q(p);
        let answered = false;
        void answer.then(() => (answered = true));
        await settle(600);
        expect(answered).toBe(false); // the lookup budget and the cache are still being asked
        expect(profileReads()).toBe(readsWhilePaused);
        const res = await answer;
        expect(res.errors).toBeUndefined();
        expect(res.data!.customerLookup.firstName).toBe(name);
      }
    } finally {
      admin.disconnect();
      await app.close();
      server.kill('SIGKILL');
    }
  });
});

/** The guest's entries on the reclassification sweep's list (0 or 1). */
async function dueRows(customerId: string): Promise<number> {
  const [{ n }] = await t.orm.em.fork().execute<{ n: number }[]>('select count(*)::int as n from customer_classification_due where customer_id = ?', [customerId]);
  return n;
}

describe('lifecycle stages and segments', () => {
  it('moves a guest through the stages as the clock runs, with no orders', async () => {
    const start = new Date('2026-01-05T19:00:00Z');
    frozen = start;
    const g = await customer(t, { firstName: 'Weekly' });
    for (let i = 0; i < 6; i++) await visit(t, g.id, new Date(start.getTime() + i * 7 * DAY));
    frozen = new Date(start.getTime() + 36 * DAY);
    const stage = async () =>
      (await t.gql<{ customer: { lifecycleStage: string } }>('query($id: ID!) { customer(id: $id) { lifecycleStage } }', { id: g.id }, t.tokens.MANAGER)).data!.customer.lifecycleStage;
    await t.app.services.customers.refreshClassifications(t.orm.em.fork());
    expect(await stage()).toBe('REGULAR');
    frozen = new Date(start.getTime() + (35 + 15) * DAY); // 15 days away from a weekly rhythm
    await t.app.services.customers.refreshClassifications(t.orm.em.fork());
    expect(await stage()).toBe('AT_RISK');
    const atRisk = await t.gql<{ customers: { nodes: { id: string }[] } }>('{ customers(lifecycleStage: AT_RISK, first: 100) { nodes { id } } }', {}, t.tokens.MANAGER);
    expect(atRisk.data!.customers.nodes.map((n) => n.id)).toContain(g.id);
    expect(await dueRows(g.id)).toBe(1);
    frozen = new Date(start.getTime() + (35 + 91) * DAY);
    await t.app.services.customers.refreshClassifications(t.orm.em.fork());
    expect(await stage()).toBe('LAPSED');
    frozen = new Date(start.getTime() + 2 * 365 * DAY);
    await t.app.services.customers.refreshClassifications(t.orm.em.fork());
    expect(await stage()).toBe('LAPSED');
    expect(await dueRows(g.id)).toBe(0); // nothing more changes with the clock alone: off the sweep's list
    frozen = null;
  });

  it("updates a returning guest's row in place at checkout (HOT): no index on customer gets an entry", async () => {
    // Each version of the guest's row, read with pageinspect: a heap-only tuple is only ever
    // written by a HOT update, and an update that changes an indexed column is never HOT.
    const em = t.orm.em.fork();
    await em.execute('create extension if not exists pageinspect');
    const heapOnly = async (id: string) => {
      const [{ ctid }] = await em.execute<{ ctid: string }[]>('select ctid::text as ctid from customer where id = ?', [id]);
      const [block, item] = ctid.slice(1, -1).split(',').map(Number);
      const [{ flags }] = await em.execute<{ flags: number }[]>(`select t_infomask2 as flags from heap_page_items(get_raw_page('customer', ?)) where lp = ?`, [block, item]);
      return (flags & 0x8000) !== 0; // HEAP_ONLY_TUPLE
    };
    const classification = async (id: string) =>
      JSON.stringify(await em.execute('select lifecycle_stage, segments from customer where id = ?', [id]));
    frozen = null;
    const g = await customer(t, { firstName: 'Returning' });
    const now = Date.now();
    for (let i = 0; i < 6; i++) await visit(t, g.id, new Date(now - (60 - i * 7) * DAY));
    let inPlace = 0;
    for (let i = 0; i < 5; i++) {
      const before = await classification(g.id);
      await visit(t, g.id, new Date(now - (10 - i) * DAY));
      // A visit that moves the stage or the segments changes two indexed columns: not HOT, by design.
      if ((await classification(g.id)) !== before) continue;
      expect(await heapOnly(g.id), `visit ${i}`).toBe(true);
      inPlace++;
    }
    expect(inPlace).toBeGreaterThanOrEqual(3);
  });

  it('puts a generated population into the documented RFM bands', { timeout: 60_000 }, async () => {
    frozen = null;
    const before = new Map((await t.gql<{ segments: { segment: string; customerCount: number }[] }>('{ segments { segment customerCount } }', {}, t.tokens.MANAGER)).data!.segments.map((s) => [s.segment, s.customerCount]));
    const population: { id: string; expected: string[] }[] = [];
    const shapes = [
      { visits: 12, every: 5, lastDaysAgo: 2, spend: 20_000 },
      { visits: 1, every: 0, lastDaysAgo: 3, spend: 3_000 },
      { visits: 6, every: 10, lastDaysAgo: 100, spend: 8_000 },
      { visits: 2, every: 20, lastDaysAgo: 80, spend: 4_000 },
      { visits: 3, every: 30, lastDaysAgo: 150, spend: 5_000 },
      { visits: 4, every: 7, lastDaysAgo: 20, spend: 60_000 },
    ];
    for (const s of shapes) {
      const g = await customer(t);
      for (let i = s.visits - 1; i >= 0; i--) {
        await visit(t, g.id, new Date(clock().getTime() - (s.lastDaysAgo + i * s.every) * DAY), [{ menuItemId: dish.id, quantity: 1 }], 1_000_000);
      }
      const facts = (await t.gql<{ customer: { stats: any } }>('query($id: ID!) { customer(id: $id) { stats { visitCount totalSpent firstVisitAt lastVisitAt } } }', { id: g.id }, t.tokens.MANAGER)).data!.customer.stats;
      const expected = classify({ visitCount: facts.visitCount, totalSpent: facts.totalSpent, firstVisitAt: new Date(facts.firstVisitAt), lastVisitAt: new Date(facts.lastVisitAt) }, clock()).segments;
      population.push({ id: g.id, expected });
    }
    for (const p of population) {
      const got = (await t.gql<{ customer: { segments: string[] } }>('query($id: ID!) { customer(id: $id) { segments } }', { id: p.id }, t.tokens.MANAGER)).data!.customer.segments;
      expect(got).toEqual(p.expected);
    }
    expect(new Set(population.flatMap((p) => p.expected))).toEqual(new Set(['champions', 'loyal', 'new', 'at-risk', 'hibernating', 'lost', 'big-spenders'].filter((s) => population.some((p) => p.expected.includes(s)))));
    const after = (await t.gql<{ segments: { segment: string; customerCount: number }[] }>('{ segments { segment customerCount } }', {}, t.tokens.MANAGER)).data!.segments;
    for (const s of after) expect(s.customerCount - (before.get(s.segment) ?? 0), s.segment).toBe(population.filter((p) => p.expected.includes(s.segment)).length);
    const lost = await t.gql<{ customers: { nodes: { id: string }[] } }>('{ customers(segment: "lost", first: 100) { nodes { id } } }', {}, t.tokens.MANAGER);
    for (const p of population.filter((x) => x.expected.includes('lost'))) expect(lost.data!.customers.nodes.map((n) => n.id)).toContain(p.id);
  });

  it('filters by stage and by segment through their indexes, on a 200k-guest database', { timeout: 120_000 }, async () => {
    // A database of its own, so the planner sees realistic numbers (pnpm bench goes to a million).
    const base = new URL(inject('databaseUrl'));
    const name = `${base.pathname.slice(1)}_plans`;
    const admin = new pg.Client({ connectionString: Object.assign(new URL(base), { pathname: '/postgres' }).toString() });
    await admin.connect();
    await admin.query(`drop database if exists "${name}"`);
    await admin.query(`create database "${name}"`);
    const url = Object.assign(new URL(base), { pathname: `/${name}` }).toString();
    const log = createLogger({ LOG_LEVEL: 'silent' });
    const orm = await openDatabase(url, configFrom({}), log);
    try {
      await migrate(orm, log);
      const em = orm.em.fork();
      await em.execute(`insert into customer (id, first_name, loyalty_code, allergies, tags, created_at, updated_at, lifecycle_stage, segments, visit_count, total_spent)
        select gen_random_uuid(), 'Guest ' || i, lpad(to_hex(i), 9, '0'), '{}', '{}', now() - (i || ' minutes')::interval, now(),
          (array['NEW','ACTIVE','REGULAR','AT_RISK','LAPSED'])[1 + i % 5]::lifecycle_stage,
          case when i % 50 = 0 then '{champions,loyal}'::text[] when i % 7 = 0 then '{lost}'::text[] else '{}'::text[] end, i % 30, i % 100000
        from generate_series(1, 200000) as i`);
      await em.execute('vacuum analyze customer');
      const plan = async (sql: string, params: unknown[]) =>
        (await em.execute<{ 'QUERY PLAN': string }[]>(`explain ${sql}`, params)).map((r) => r['QUERY PLAN']).join('\n');
      const shapes: [string, unknown[]][] = [
        [`select "id" from "customer" where "erased_at" is null and "lifecycle_stage" = ? order by "created_at" desc, "id" desc limit 51`, ['AT_RISK']],
        [`select count(*) from "customer" where "erased_at" is null and "lifecycle_stage" = ?`, ['AT_RISK']],
        [`select "id" from "customer" where "erased_at" is null and "segments" @> array[?]::text[] order by "created_at" desc, "id" desc limit 51`, ['champions']],
        [`select count(*) from "customer" where "erased_at" is null and "segments" @> array[?]::text[]`, ['champions']],
      ];
      for (const [sql, params] of shapes) {
        const p = await plan(sql, params);
        expect(p, sql).not.toMatch(/Seq Scan/);
        expect(p, sql).toMatch(/customer_(stage|segments|list)_idx/);
      }
    } finally {
      await orm.close();
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  });
});

describe('customers search', () => {
  it('finds by name prefix, phone fragment or email fragment, with a total and cursor pages', async () => {
    const tag = key().slice(0, 5);
    const p = phone();
    const ids = [
      (await customer(t, { firstName: `Zed${tag}`, lastName: 'Alpha', phone: p })).id,
      (await customer(t, { firstName: `Zed${tag}`, lastName: 'Beta', email: `zz-${tag}@example.org` })).id,
      (await customer(t, { firstName: `Zed${tag}`, lastName: 'Gamma' })).id,
    ];
    const q = `query($s: String, $after: String) { customers(search: $s, first: 2, after: $after) { totalCount nodes { id } pageInfo { endCursor hasNextPage } } }`;
    const first = (await t.gql<{ customers: any }>(q, { s: `zed${tag}` }, t.tokens.SERVER)).data!.customers;
    expect(first.totalCount).toBe(3);
    expect(first.nodes.map((n: any) => n.id)).toEqual([ids[2], ids[1]]);
    const second = (await t.gql<{ customers: any }>(q, { s: `zed${tag}`, after: first.pageInfo.endCursor }, t.tokens.SERVER)).data!.customers;
    expect(second.nodes.map((n: any) => n.id)).toEqual([ids[0]]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const byPhone = (await t.gql<{ customers: any }>(q, { s: `(${p.slice(2, 5)}) ${p.slice(5, 8)}-${p.slice(8)}` }, t.tokens.SERVER)).data!.customers;
    expect(byPhone.nodes.map((n: any) => n.id)).toEqual([ids[0]]);
    const byEmail = (await t.gql<{ customers: any }>(q, { s: `ZZ-${tag}@EXAMPLE` }, t.tokens.SERVER)).data!.customers;
    expect(byEmail.nodes.map((n: any) => n.id)).toEqual([ids[1]]);
  });
});

describe('interactions', () => {
  it('records notes with their author, newest first, and refuses VISIT (check-in records it)', async () => {
    const g = await customer(t);
    const add = 'mutation($id: ID!, $i: InteractionInput!) { addInteraction(customerId: $id, input: $i) { kind note staff { name } } }';
    await t.gql(add, { id: g.id, i: { kind: 'NOTE', note: 'first' } }, t.tokens.SERVER);
    await t.gql(add, { id: g.id, i: { kind: 'COMPLAINT', note: 'soup was cold' } }, t.tokens.MANAGER);
    expect((await t.gql(add, { id: g.id, i: { kind: 'VISIT', note: 'x' } }, t.tokens.SERVER)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const list = await t.gql<{ customer: { interactions: any[] } }>('query($id: ID!) { customer(id: $id) { interactions { kind note staff { name } } } }', { id: g.id }, t.tokens.MANAGER);
    expect(list.data!.customer.interactions.map((i) => [i.kind, i.note])).toEqual([
      ['COMPLAINT', 'soup was cold'],
      ['NOTE', 'first'],
    ]);
    expect(list.data!.customer.interactions[0].staff.name).toMatch(/MANAGER/);
  });
});

describe('recognition at the host stand', () => {
  const GREETING = 'subscription { guestArrivals { message isRegular partySize arrivedAt customer { id firstName lifecycleStage stats { visitCount lastVisitAt } } usualDishes { count menuItem { name } } } }';

  it('greets every host screen with a complete greeting, worded for regulars, first-timers and lapsed guests', { timeout: 30_000 }, async () => {
    frozen = null;
    const device = (await t.gql<{ issueDeviceToken: string }>('mutation { issueDeviceToken(role: HOST, name: "stand") }', {}, t.tokens.ADMIN)).data!.issueDeviceToken;
    const screens = [t.ws(t.tokens.HOST), t.ws(device)].map((client) => {
      const got: any[] = [];
      const errors: unknown[] = [];
      client.subscribe({ query: GREETING }, { next: (r) => (r.data ? got.push(r.data.guestArrivals) : errors.push(r.errors)), error: (e) => errors.push(e), complete: () => undefined });
      return { got, errors };
    });
    await settle(300);

    const regular = await customer(t, { firstName: 'Maria', phone: phone() });
    for (let i = 8; i >= 1; i--) await visit(t, regular.id, new Date(clock().getTime() - i * 6 * DAY));
    const firstTimer = await customer(t, { firstName: 'Nia', email: `nia-${key().slice(0, 6)}@example.com` });
    const lapsed = await customer(t, { firstName: 'Omar' });
    for (let i = 3; i >= 1; i--) await visit(t, lapsed.id, new Date(clock().getTime() - (120 + i * 20) * DAY));
    const lapsedCode = (await t.gql<{ customer: { loyaltyCode: string } }>('query($id: ID!) { customer(id: $id) { loyaltyCode } }', { id: lapsed.id }, t.tokens.MANAGER)).data!.customer.loyaltyCode;
    const regularPhone = (await t.gql<{ customer: { phone: string } }>('query($id: ID!) { customer(id: $id) { phone } }', { id: regular.id }, t.tokens.MANAGER)).data!.customer.phone;

    const checkIn = 'mutation($by: CustomerLookupInput!, $n: Int) { checkInGuest(by: $by, partySize: $n) { message isRegular } }';
    const r1 = await t.gql<{ checkInGuest: any }>(checkIn, { by: { phone: regularPhone }, n: 2 }, device);
    expect(r1.errors).toBeUndefined();
    await t.gql(checkIn, { by: { email: `NIA-${''}`.length ? (await t.gql<{ customer: { email: string } }>('query($id: ID!) { customer(id: $id) { email } }', { id: firstTimer.id }, t.tokens.MANAGER)).data!.customer.email.toUpperCase() : '' } }, t.tokens.HOST);
    await t.gql(checkIn, { by: { loyaltyCode: lapsedCode }, n: 4 }, t.tokens.HOST);
    const missing = await t.gql(checkIn, { by: { phone: '+16285550001' } }, t.tokens.HOST);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    for (const s of screens) {
      for (let i = 0; i < 100 && s.got.length < 3; i++) await settle(50);
      expect(s.errors).toEqual([]);
      expect(s.got).toHaveLength(3);
      const [m, n, o] = s.got;
      expect(m).toMatchObject({ isRegular: true, partySize: 2, customer: { id: regular.id, firstName: 'Maria', stats: { visitCount: 8 } } });
      expect(m.message).toBe(`Welcome back, Maria! Your usual: ${dish.name}.`);
      expect(m.usualDishes).toEqual([{ count: 8, menuItem: { name: dish.name } }]);
      expect(n).toMatchObject({ isRegular: false, customer: { firstName: 'Nia' } });
      expect(n.message).toBe("Welcome, Nia! So glad you're joining us for the first time.");
      expect(o.message).toMatch(/^Great to see you again, Omar! It's been \d months\./);
    }
    const visits = await t.gql<{ customer: { interactions: { kind: string }[] } }>('query($id: ID!) { customer(id: $id) { interactions { kind } } }', { id: regular.id }, t.tokens.MANAGER);
    expect(visits.data!.customer.interactions.map((i) => i.kind)).toContain('VISIT');
  });

  it('keeps phone, email and spend from the host', async () => {
    const p = phone();
    await customer(t, { phone: p, email: `h-${key().slice(0, 6)}@example.com` });
    for (const field of ['phone', 'email', 'stats { totalSpent }', 'stats { averageSpend }', 'notes', 'orders { nodes { id } }']) {
      const res = await t.gql(`query($p: String!) { customerLookup(by: { phone: $p }) { firstName ${field} } }`, { p }, t.tokens.HOST);
      expect(res.errors?.[0]?.extensions?.code, field).toBe('FORBIDDEN');
    }
    const ok = await t.gql(`query($p: String!) { customerLookup(by: { phone: $p }) { firstName allergies stats { visitCount lastVisitAt } } }`, { p }, t.tokens.HOST);
    expect(ok.errors).toBeUndefined();
  });
});

describe('privacy', () => {
  it('erases a guest everywhere: tables, kitchen tickets and events, and the cache', { timeout: 30_000 }, async () => {
    const p = phone();
    const email = `erase-${key().slice(0, 6)}@example.com`;
    const secretName = `Zelda${key().slice(0, 6)}`;
    const g = await customer(t, { firstName: secretName, lastName: 'Erasable', phone: p, email, allergies: ['tree nuts'], notes: 'secret note', birthday: '1980-01-02' });
    await t.gql('mutation($id: ID!) { addInteraction(customerId: $id, input: { kind: NOTE, note: "personal detail" }) { id } }', { id: g.id }, t.tokens.SERVER);
    const order = await t.app.services.orders.placeOrder(t.as(Role.SERVER), { idempotencyKey: key(), customerId: g.id, items: [{ menuItemId: dish.id, quantity: 1 }] });
    await t.app.services.orders.checkout(t.as(Role.SERVER), order.id, { idempotencyKey: key(), payments: [{ method: PaymentMethod.CASH, amount: 100_000 }] });
    await lookup({ phone: p });
    const code = (await lookup({ phone: p })).guest.loyaltyCode;
    expect(await redisDump(t.config.REDIS_KEY_PREFIX)).toContain(p);

    expect((await t.gql('mutation($id: ID!) { eraseCustomer(id: $id) }', { id: g.id }, t.tokens.MANAGER)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const erased = await t.gql<{ eraseCustomer: boolean }>('mutation($id: ID!) { eraseCustomer(id: $id) }', { id: g.id }, t.tokens.ADMIN);
    expect(erased.data!.eraseCustomer).toBe(true);

    for (const by of [{ phone: p }, { email }, { loyaltyCode: code as string }] as Record<string, string>[]) expect((await lookup(by)).guest).toBeNull();
    expect((await t.gql<{ customers: { totalCount: number } }>('query($s: String!) { customers(search: $s) { totalCount } }', { s: secretName }, t.tokens.MANAGER)).data!.customers.totalCount).toBe(0);
    expect((await t.gql<{ customer: unknown }>('query($id: ID!) { customer(id: $id) { id } }', { id: g.id }, t.tokens.MANAGER)).data!.customer).toBeNull();

    // Search every table that could hold it, as text.
    const em = t.orm.em.fork();
    for (const table of ['customer', 'interaction', 'customer_dish', 'orders', 'kitchen_ticket', 'kitchen_event', 'audit_log', 'idempotency_key']) {
      const [{ n }] = await em.execute<{ n: number }[]>(
        `select count(*)::int as n from "${table}" x where x::text ilike any(array[?, ?, ?, ?, ?, ?])`,
        [`%${secretName}%`, `%${p}%`, `%${email}%`, '%secret note%', '%personal detail%', '%Erasable%'],
      );
      expect(n, table).toBe(0);
    }
    const [{ n: allergyTickets }] = await em.execute<{ n: number }[]>(`select count(*)::int as n from kitchen_ticket where order_id = ? and guest_allergies <> '{}'`, [order.id]);
    expect(allergyTickets).toBe(0);
    const [{ total }] = await em.execute<{ total: number }[]>('select total from orders where id = ?', [order.id]);
    expect(total).toBeGreaterThan(0); // the books keep the order, without the person
    const dump = await redisDump(t.config.REDIS_KEY_PREFIX);
    for (const value of [p, email, secretName, code]) expect(dump).not.toContain(value);
    const [{ n: audits }] = await em.execute<{ n: number }[]>(`select count(*)::int as n from audit_log where subject_id = ? and action = 'customer_erased'`, [g.id]);
    expect(audits).toBe(1);
    expect(await dueRows(g.id)).toBe(0);
  });

  it('exports everything held about a guest, including who changed their marketing consent and when', async () => {
    const g = await customer(t, { firstName: 'Exporta', email: `exp-${key().slice(0, 6)}@example.com` });
    await t.gql('mutation($id: ID!) { updateCustomer(id: $id, input: { marketingOptIn: true }) { id } }', { id: g.id }, t.tokens.SERVER);
    await t.gql('mutation($id: ID!) { addInteraction(customerId: $id, input: { kind: FEEDBACK, note: "loved it" }) { id } }', { id: g.id }, t.tokens.SERVER);
    await visit(t, g.id, new Date());
    const res = await t.gql<{ customerExport: any }>('query($id: ID!) { customerExport(id: $id) }', { id: g.id }, t.tokens.MANAGER);
    expect(res.errors).toBeUndefined();
    const data = res.data!.customerExport;
    expect(data.profile).toMatchObject({ firstName: 'Exporta', marketingOptIn: true });
    expect(data.marketingConsent).toEqual([{ value: true, by: expect.any(String), at: expect.any(String) }]);
    expect(data.interactions).toEqual([expect.objectContaining({ kind: 'FEEDBACK', note: 'loved it' })]);
    expect(data.orders).toHaveLength(1);
    expect(data.dishes).toEqual([{ name: dish.name, count: 1 }]);
    expect((await t.gql('query($id: ID!) { customerExport(id: $id) }', { id: g.id }, t.tokens.SERVER)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
