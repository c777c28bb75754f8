import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gql } from './support/http.js';
import { killServerProcesses } from './support/server-process.js';
import { firstResults, startCluster, type Cluster } from './support/cluster.js';
import { startProxy, type Proxy } from './support/nginx.js';
import { metric } from './support/metrics.js';

afterAll(killServerProcesses);

/** Active subscriptions of a kind across all instances (each instance's /metrics). */
async function activeSubscriptions(c: Cluster, kind: string): Promise<number> {
  let total = 0;
  for (const i of c.instances) total += await metric(i.url, 'pos_subscriptions_active', { subscription: kind });
  return total;
}

// The production topology of docker-compose.yml with real processes: deploy/nginx.conf in Debian's
// nginx in front of two production-mode servers sharing PostgreSQL and Redis.
describe('nginx (deploy/nginx.conf) in front of two production servers', { timeout: 120_000 }, () => {
  let c: Cluster;
  let proxy: Proxy;
  let menuItemId: string;

  beforeAll(async () => {
    const displays = mkdtempSync(join(tmpdir(), 'pos-displays-'));
    writeFileSync(join(displays, 'index.html'), '<!doctype html><title>POS displays</title><div id="app"></div>');
    c = await startCluster(2, { NODE_ENV: 'production', ALLOWED_ORIGINS: 'https://pos.example.com', DISPLAYS_DIR: displays, TRUST_PROXY: 'loopback' });
    proxy = await startProxy(c.instances.map((i) => new URL(i.url).host));
    const item = await gql<{ createMenuItem: { id: string } }>(
      `${proxy.url}`,
      'mutation($i: MenuItemInput!) { createMenuItem(input: $i) { id } }',
      { i: { sku: `PX-${randomUUID().slice(0, 8)}`, name: `Proxy fries ${randomUUID().slice(0, 4)}`, category: 'Sides', price: 600, station: 'fry', allergens: [] } },
      c.tokens.MANAGER,
    );
    expect(item.errors).toBeUndefined();
    menuItemId = item.data!.createMenuItem.id;
  }, 120_000);
  afterAll(async () => {
    await proxy?.stop();
    await c?.close();
  });

  it('passes a login and a guest lookup through, keeping the caller’s correlation id', async () => {
    const phone = `+1312555${String(1000 + Math.floor(Math.random() * 9000))}`;
    const made = await gql(proxy.url, 'mutation($i: CustomerInput!) { createCustomer(input: $i) { id } }', { i: { firstName: 'Linus', phone } }, c.tokens.MANAGER);
    expect(made.errors).toBeUndefined();
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${proxy.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${c.tokens.SERVER}`, 'x-request-id': `lookup-${i}` },
        body: JSON.stringify({ query: 'query($p: String!) { customerLookup(by: { phone: $p }) { firstName } }', variables: { p: phone } }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe(`lookup-${i}`);
      expect(((await res.json()) as { data: { customerLookup: { firstName: string } } }).data.customerLookup.firstName).toBe('Linus');
    }
  });

  it('upgrades a browser websocket from the site’s own origin and delivers a kitchen ticket through it', async () => {
    const screen = c.ws(proxy.url.replace('http', 'ws') + '/graphql', c.tokens.KITCHEN, proxy.url);
    const feed = firstResults<{ kitchenEvents: { type: string; ticket: { orderNumber: number } } }>(screen, 'subscription { kitchenEvents(station: "fry") { type ticket { orderNumber } } }', {});
    const deadline = Date.now() + 10_000;
    while ((await activeSubscriptions(c, 'kitchenEvents')) < 1) {
      if (Date.now() > deadline) throw new Error('the subscription never reached a server through the proxy');
      await new Promise((r) => setTimeout(r, 50));
    }
    const placed = await gql<{ placeOrder: { number: number } }>(
      proxy.url,
      'mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { number } }',
      { i: { idempotencyKey: randomUUID(), items: [{ menuItemId, quantity: 1 }] } },
      c.tokens.SERVER,
    );
    expect(placed.errors).toBeUndefined();
    const [event] = await feed.done;
    expect(event!.kitchenEvents).toMatchObject({ type: 'CREATED', ticket: { orderNumber: placed.data!.placeOrder.number } });
  });

  it('refuses a websocket from another site’s page', async () => {
    const screen = c.ws(proxy.url.replace('http', 'ws') + '/graphql', c.tokens.KITCHEN, 'https://evil.example');
    await expect(firstResults(screen, 'subscription { kitchenEvents { type } }', {}, 1, 5_000).done).rejects.toBeDefined();
  });

  it('serves the displays and health checks, and keeps /metrics off the public side', async () => {
    const page = await fetch(`${proxy.url}/kitchen?station=grill`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    expect((await fetch(`${proxy.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${proxy.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${c.instances[0]!.url}/metrics`)).status).toBe(200);
  });
});
