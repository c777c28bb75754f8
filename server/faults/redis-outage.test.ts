import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { killServerProcesses } from '../test/support/server-process.js';
import { firstResults, startCluster, waitForSubscriptions, type Cluster } from '../test/support/cluster.js';
import { count } from './db.js';
import { atRate, CHECKOUT, key, LOOKUP, metric, must, ORDER, startRedis, type OwnRedis } from './support.js';

afterAll(killServerProcesses);

const RATE = Number(process.env.FAULTS_RATE ?? 20);
const OUTAGE_MS = Number(process.env.FAULTS_OUTAGE_MS ?? 30_000);

// 1. Redis killed (SIGKILL) for 30 s during a steady 20 checkouts/s through two instances.
describe(`Redis killed for ${OUTAGE_MS / 1000} s during ${RATE} checkouts/s`, () => {
  let redis: OwnRedis;
  let c: Cluster;
  let menuItemId: string;
  const guests: { id: string; phone: string }[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    c = await startCluster(2, { REDIS_URL: redis.url, CACHE_TIMEOUT_MS: '50' });
    const url = c.instances[0]!.url;
    menuItemId = (
      await must<{ createMenuItem: { id: string } }>(
        url,
        'mutation($i: MenuItemInput!) { createMenuItem(input: $i) { id } }',
        {
          i: {
            sku: `RO-${randomUUID().slice(0, 8)}`,
            name: `Outage soup ${randomUUID().slice(0, 4)}`,
            category: 'Soups',
            price: 900,
            station: 'cold',
            allergens: [],
          },
        },
        c.tokens.MANAGER,
      )
    ).createMenuItem.id;
    for (let i = 0; i < 21; i++) {
      const phone = `+1646555${String(1000 + i).padStart(4, '0')}`;
      const made = await must<{ createCustomer: { id: string } }>(
        url,
        'mutation($i: CustomerInput!) { createCustomer(input: $i) { id } }',
        { i: { firstName: `Guest${i}`, phone } },
        c.tokens.MANAGER,
      );
      guests.push({ id: made.createCustomer.id, phone });
    }
  }, 300_000);
  afterAll(async () => {
    await c?.close();
    await redis?.stop();
  });

  it('loses no order, answers every lookup from PostgreSQL, resumes caching, and never serves a guest erased during the outage', async () => {
    const [a, b] = c.instances as [Cluster['instances'][number], Cluster['instances'][number]];
    const victim = guests.pop()!;
    // Every profile cached before the outage, the victim's included, on both instances' shared cache.
    for (const g of [...guests, victim])
      for (const i of [a, b]) await must(i.url, LOOKUP, { p: g.phone }, c.tokens.SERVER);
    expect(await metric(b.url, 'pos_profile_cache_lookups_total', { result: 'hit' })).toBeGreaterThanOrEqual(
      guests.length,
    );

    const acked: { id: string; total: number; customerId: string }[] = [];
    const failures: string[] = [];
    const lookupFailures: string[] = [];
    const visit = async (n: number) => {
      const via = n % 2 ? b : a;
      const guest = guests[n % guests.length]!;
      try {
        const placed = await must<{ placeOrder: { id: string; total: number } }>(
          via.url,
          ORDER,
          { i: { idempotencyKey: key(), customerId: guest.id, items: [{ menuItemId, quantity: 1 }] } },
          c.tokens.SERVER,
        );
        const paid = await must<{ checkout: { status: string } }>(
          via.url,
          CHECKOUT,
          {
            id: placed.placeOrder.id,
            i: { idempotencyKey: key(), payments: [{ method: 'CARD', amount: placed.placeOrder.total }] },
          },
          c.tokens.SERVER,
        );
        expect(paid.checkout.status).toBe('PAID');
        acked.push({ id: placed.placeOrder.id, total: placed.placeOrder.total, customerId: guest.id });
      } catch (err) {
        failures.push(String(err));
      }
      try {
        const found = await must<{ customerLookup: { id: string } | null }>(
          via.url,
          LOOKUP,
          { p: guest.phone },
          c.tokens.SERVER,
        );
        if (found.customerLookup?.id !== guest.id)
          lookupFailures.push(`lookup of ${guest.phone} gave ${JSON.stringify(found)}`);
      } catch (err) {
        lookupFailures.push(String(err));
      }
    };

    const lead = 5_000;
    const tail = 8_000;
    const load = atRate(RATE, lead + OUTAGE_MS + tail, visit);
    await new Promise((r) => setTimeout(r, lead));
    await redis.kill();
    await new Promise((r) => setTimeout(r, 2_000));
    // Erased during the outage, through one instance; its cached profile could not be deleted then.
    expect(
      (
        await must<{ eraseCustomer: boolean }>(
          a.url,
          'mutation($id: ID!) { eraseCustomer(id: $id) }',
          { id: victim.id },
          c.tokens.ADMIN,
        )
      ).eraseCustomer,
    ).toBe(true);
    for (const i of [a, b])
      expect(
        (await must<{ customerLookup: unknown }>(i.url, LOOKUP, { p: victim.phone }, c.tokens.SERVER)).customerLookup,
      ).toBeNull();
    await new Promise((r) => setTimeout(r, OUTAGE_MS - 2_000));
    await redis.start();
    const hitsAtReturn =
      (await metric(a.url, 'pos_profile_cache_lookups_total', { result: 'hit' })) +
      (await metric(b.url, 'pos_profile_cache_lookups_total', { result: 'hit' }));
    await load;

    expect(failures).toEqual([]);
    expect(lookupFailures).toEqual([]);
    expect(acked.length).toBeGreaterThan(((RATE * (lead + OUTAGE_MS)) / 1000) * 0.9);
    // Every acknowledged order is in PostgreSQL, paid, with its total.
    const ids = acked.map((o) => o.id);
    expect(await count('orders', `id = any($1::uuid[]) and status = 'PAID'`, [ids])).toBe(ids.length);

    // Caching resumed: lookups after Redis came back are served from it again.
    for (const g of guests.slice(0, 5))
      for (const i of [a, b]) await must(i.url, LOOKUP, { p: g.phone }, c.tokens.SERVER);
    const hitsAfter =
      (await metric(a.url, 'pos_profile_cache_lookups_total', { result: 'hit' })) +
      (await metric(b.url, 'pos_profile_cache_lookups_total', { result: 'hit' }));
    expect(hitsAfter).toBeGreaterThan(hitsAtReturn);
    // The erased guest is found nowhere, from either instance, now that the cache is back.
    for (const i of [a, b])
      for (let n = 0; n < 3; n++)
        expect(
          (await must<{ customerLookup: unknown }>(i.url, LOOKUP, { p: victim.phone }, c.tokens.SERVER)).customerLookup,
        ).toBeNull();
    // Profiles are right: each guest's visits equal their acknowledged orders.
    for (const g of guests.slice(0, 5)) {
      const visits = (
        await must<{ customerLookup: { stats: { visitCount: number } } }>(
          a.url,
          LOOKUP,
          { p: g.phone },
          c.tokens.SERVER,
        )
      ).customerLookup.stats.visitCount;
      expect(visits).toBe(acked.filter((o) => o.customerId === g.id).length);
    }
    // The bus is back too: a ticket placed on A reaches a kitchen screen on B.
    const feed = firstResults<{ kitchenEvents: { type: string } }>(
      c.ws(b.wsUrl, c.tokens.KITCHEN),
      'subscription { kitchenEvents(station: "cold") { type } }',
      {},
    );
    await waitForSubscriptions(b.url, 'kitchenEvents', 1);
    await must(a.url, ORDER, { i: { idempotencyKey: key(), items: [{ menuItemId, quantity: 1 }] } }, c.tokens.SERVER);
    expect((await feed.done)[0]!.kitchenEvents.type).toBe('CREATED');
  });
});

// The harder variant: Redis paused (SIGSTOP) keeps its data, so a profile cached before the pause
// is still there when it resumes, and the instance that could not delete it is not the only reader.
describe('Redis paused (SIGSTOP) while a guest is erased through one of two instances', () => {
  it('never serves the erased guest from the other instance once Redis answers again', async () => {
    const redis = await startRedis();
    const c = await startCluster(2, { REDIS_URL: redis.url, CACHE_TIMEOUT_MS: '50' });
    try {
      const [a, b] = c.instances as [Cluster['instances'][number], Cluster['instances'][number]];
      const phone = `+1646556${String(1000 + Math.floor(Math.random() * 9000))}`;
      const guest = (
        await must<{ createCustomer: { id: string } }>(
          a.url,
          'mutation($i: CustomerInput!) { createCustomer(input: $i) { id } }',
          { i: { firstName: 'Paused', phone } },
          c.tokens.MANAGER,
        )
      ).createCustomer;
      for (let i = 0; i < 2; i++)
        expect(
          (await must<{ customerLookup: { id: string } }>(b.url, LOOKUP, { p: phone }, c.tokens.SERVER)).customerLookup
            .id,
        ).toBe(guest.id);
      const hits = await metric(b.url, 'pos_profile_cache_lookups_total', { result: 'hit' });
      expect(hits).toBeGreaterThanOrEqual(1);

      redis.pause();
      expect(
        (
          await must<{ eraseCustomer: boolean }>(
            a.url,
            'mutation($id: ID!) { eraseCustomer(id: $id) }',
            { id: guest.id },
            c.tokens.ADMIN,
          )
        ).eraseCustomer,
      ).toBe(true);
      expect(
        (await must<{ customerLookup: unknown }>(b.url, LOOKUP, { p: phone }, c.tokens.SERVER)).customerLookup,
      ).toBeNull();
      await new Promise((r) => setTimeout(r, 3_000));
      redis.resume();
      // From the moment Redis answers, B asks it again and again: the stale entry must be gone by then.
      const until = Date.now() + 3_000;
      const served: unknown[] = [];
      while (Date.now() < until) {
        const found = (await must<{ customerLookup: unknown }>(b.url, LOOKUP, { p: phone }, c.tokens.SERVER))
          .customerLookup;
        if (found) served.push(found);
      }
      expect(served).toEqual([]);
      // And the cache works again for everyone else.
      expect(await metric(b.url, 'pos_profile_cache_lookups_total', { result: 'miss' })).toBeGreaterThan(0);
    } finally {
      await c.close();
      await redis.stop();
    }
  });
});
