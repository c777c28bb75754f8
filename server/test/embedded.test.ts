import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFrom } from '../src/config.js';
import { startRuntime, type Runtime } from '../src/runtime.js';
import { DEMO_LOGINS } from '../src/seed/demo.js';
import { gql } from './support/app.js';
import { freePort } from './support/ports.js';

const dataDir = mkdtempSync(join(tmpdir(), 'pos-embedded-test-'));
chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as the postgres user, which must reach the folder
let runtime: Runtime | undefined;
afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function boot(pgPort: number): Promise<Runtime> {
  // No DATABASE_URL: the embedded default starts its own PostgreSQL under DATA_DIR.
  const config = configFrom({ PORT: 0, HOST: '127.0.0.1', LOG_LEVEL: 'silent', DATA_DIR: dataDir, EMBEDDED_PG_PORT: pgPort, SEED_DEMO: true });
  return startRuntime(config, { embedded: true });
}

async function demoToken(url: string, role = 'ADMIN'): Promise<string> {
  const who = DEMO_LOGINS.staff.find((s) => s.role === role)!;
  const login = await gql<{ login: { token: string } }>(url, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', {
    e: who.email,
    p: DEMO_LOGINS.password,
  });
  expect(login.errors).toBeUndefined();
  return login.data!.login.token;
}

async function menuAsDemoAdmin(url: string): Promise<string[]> {
  const menu = await gql<{ menu: { id: string }[] }>(url, '{ menu { id } }', {}, await demoToken(url));
  expect(menu.errors).toBeUndefined();
  return menu.data!.menu.map((m) => m.id).sort();
}

describe('the embedded default', () => {
  it('boots on embedded PostgreSQL with the demo restaurant, stops, and starts again on the same data', { timeout: 300_000 }, async () => {
    const pgPort = await freePort();
    runtime = await boot(pgPort);
    expect(runtime.embedded).toBeDefined();
    const first = await menuAsDemoAdmin(runtime.app.url);
    expect(first.length).toBeGreaterThanOrEqual(30);

    // 200+ guests whose profiles came out of real checkouts: the most frequent one is a regular.
    const em = runtime.orm.em.fork();
    const [{ n: guests }] = await em.execute<{ n: number }[]>('select count(*)::int as n from customer');
    expect(guests).toBeGreaterThanOrEqual(200);
    const [top] = await em.execute<{ id: string }[]>('select id from customer order by visit_count desc limit 1');
    const profile = await gql<{ customer: any }>(
      runtime.app.url,
      'query($id: ID!) { customer(id: $id) { stats { visitCount totalSpent averageDaysBetweenVisits lastVisitAt } usualDishes { count menuItem { name } } orders(first: 1) { nodes { status } } } }',
      { id: top!.id },
      await demoToken(runtime.app.url, 'MANAGER'),
    );
    expect(profile.errors).toBeUndefined();
    const c = profile.data!.customer;
    expect(c.stats.visitCount).toBeGreaterThanOrEqual(12);
    expect(c.stats.totalSpent).toBeGreaterThan(0);
    expect(c.stats.averageDaysBetweenVisits).toBeLessThan(14);
    expect(c.usualDishes).toHaveLength(3);
    expect(c.orders.nodes[0].status).toBe('PAID');
    // Tonight's service is under way: open checks on the kitchen screens, a known guest's allergies on one.
    const kitchen = await gql<{ kitchenBoard: { tickets: { station: string; guestAllergies: string[] }[] } }>(
      runtime.app.url,
      '{ kitchenBoard { tickets { station guestAllergies } } }',
      {},
      await demoToken(runtime.app.url, 'KITCHEN'),
    );
    const tickets = kitchen.data!.kitchenBoard.tickets;
    expect(new Set(tickets.map((tk) => tk.station))).toEqual(new Set(['grill', 'fry', 'cold', 'bar']));
    expect(tickets.some((tk) => tk.guestAllergies.length > 0)).toBe(true);
    // Rewards and promotions set up, and the regular's points earned through those checkouts.
    const loyalty = await gql<{ rewards: unknown[]; promotions: { code: string }[]; customer: { loyalty: { points: number; tier: string } } }>(
      runtime.app.url,
      'query($id: ID!) { rewards { id } promotions { code } customer(id: $id) { loyalty { points tier } } }',
      { id: top!.id },
      await demoToken(runtime.app.url, 'MANAGER'),
    );
    expect(loyalty.data!.rewards.length).toBeGreaterThanOrEqual(3);
    expect(loyalty.data!.promotions.map((p) => p.code)).toContain('WELCOME10');
    expect(loyalty.data!.customer.loyalty.points).toBeGreaterThan(100);
    await runtime.stop();
    runtime = undefined;

    const restart = Date.now();
    runtime = await boot(pgPort);
    console.info(`second start ready in ${Date.now() - restart} ms`);
    const second = await menuAsDemoAdmin(runtime.app.url);
    expect(second).toEqual(first);
    const [{ n: again }] = await runtime.orm.em.fork().execute<{ n: number }[]>('select count(*)::int as n from customer');
    expect(again).toBe(guests);
  });
});
