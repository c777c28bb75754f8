import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, collect, settle, type TestApp } from './support/app.js';
import { customer, menuItem, placeOrder } from './support/factories.js';
import { freePort } from './support/ports.js';
import { sample } from './support/metrics.js';

async function scrape(t: TestApp, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${t.url}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

describe('metrics at /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { redis: true });
  });
  afterAll(() => t.close());

  it('counts requests and latency per operation, labelled by root fields, with the outcome code', async () => {
    const before = await scrape(t);
    const base = sample(before, 'pos_graphql_requests_total', { operation: 'menu', outcome: 'ok' }) ?? 0;
    for (let i = 0; i < 3; i++) expect((await t.gql('query AnyNameAtAll { menu { id } }', {}, t.tokens.SERVER)).errors).toBeUndefined();
    const denied = await t.gql('{ menu { id } }');
    expect(denied.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const text = await scrape(t);
    expect(sample(text, 'pos_graphql_requests_total', { type: 'query', operation: 'menu', outcome: 'ok' })).toBe(base + 3);
    expect(sample(text, 'pos_graphql_requests_total', { operation: 'menu', outcome: 'UNAUTHENTICATED' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'pos_graphql_request_duration_seconds_count', { type: 'query', operation: 'menu' })).toBeGreaterThanOrEqual(base + 4);
    // Client-chosen operation names never become labels.
    expect(text).not.toContain('AnyNameAtAll');
    // prom-client's process and event-loop metrics are there too.
    expect(sample(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('counts websocket connections, active subscriptions per kind, and events published and delivered', async () => {
    const item = await menuItem(t, { station: 'grill' });
    const client = t.ws(t.tokens.KITCHEN);
    const feed = collect<{ kitchenEvents: { type: string } }>(client, 'subscription { kitchenEvents(station: "grill") { type } }', {}, 1);
    await settle(300);
    let text = await scrape(t);
    expect(sample(text, 'pos_websocket_connections')).toBe(1);
    expect(sample(text, 'pos_subscriptions_active', { subscription: 'kitchenEvents' })).toBe(1);
    const published = sample(text, 'pos_events_published_total', { topic: 'ORDER_UPDATED' }) ?? 0;

    const placed = await placeOrder(t, { items: [{ menuItemId: item.id, quantity: 1 }] });
    expect(placed.errors).toBeUndefined();
    await feed.done;
    await settle(100);
    text = await scrape(t);
    expect(sample(text, 'pos_events_delivered_total', { subscription: 'kitchenEvents' })).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/pos_events_published_total\{topic="[A-Z_]+"\} \d+/);
    expect(sample(text, 'pos_events_published_total', { topic: 'ORDER_UPDATED' }) ?? 0).toBeGreaterThan(published);
    // The collector completed its subscription: the gauge goes back down; closing the socket too.
    expect(sample(text, 'pos_subscriptions_active', { subscription: 'kitchenEvents' }) ?? 0).toBe(0);
    await client.dispose();
    await settle(200);
    expect(sample(await scrape(t), 'pos_websocket_connections')).toBe(0);
  });

  it('drops a closed connection’s subscriptions from the gauge even when the client never completes them', async () => {
    const client = t.ws(t.tokens.HOST);
    client.subscribe({ query: 'subscription { guestArrivals { message } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    await settle(300);
    expect(sample(await scrape(t), 'pos_subscriptions_active', { subscription: 'guestArrivals' })).toBe(1);
    await client.dispose();
    await settle(200);
    expect(sample(await scrape(t), 'pos_subscriptions_active', { subscription: 'guestArrivals' }) ?? 0).toBe(0);
  });

  it('counts profile cache hits and misses', async () => {
    const phone = `+1202555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
    await customer(t, { phone });
    const before = await scrape(t);
    const hits = sample(before, 'pos_profile_cache_lookups_total', { result: 'hit' }) ?? 0;
    const misses = sample(before, 'pos_profile_cache_lookups_total', { result: 'miss' }) ?? 0;
    const lookup = () => t.gql('query($p: String!) { customerLookup(by: { phone: $p }) { id } }', { p: phone }, t.tokens.SERVER);
    expect((await lookup()).errors).toBeUndefined();
    expect((await lookup()).errors).toBeUndefined();
    const text = await scrape(t);
    expect(sample(text, 'pos_profile_cache_lookups_total', { result: 'miss' })).toBe(misses + 1);
    expect(sample(text, 'pos_profile_cache_lookups_total', { result: 'hit' })).toBe(hits + 1);
  });

  it('reports the database pool', async () => {
    const text = await scrape(t);
    expect(sample(text, 'pos_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'pos_db_pool_connections', { state: 'waiting' })).toBe(0);
  });

  it('echoes a correlation id on every response, the caller’s when it is a plain token', async () => {
    const own = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'till-3.req-42' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(own.headers.get('x-request-id')).toBe('till-3.req-42');
    const hostile = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'x"} injected {"a' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('metrics behind METRICS_TOKEN', () => {
  it('refuses a scrape without the token and serves it with it', async () => {
    const t = await startTestApp({ METRICS_TOKEN: 'scrape-secret-0123456789' });
    try {
      expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer wrong-secret-0123456789' } })).status).toBe(401);
      expect(await scrape(t, { authorization: 'Bearer scrape-secret-0123456789' })).toContain('pos_graphql_requests_total');
    } finally {
      await t.close();
    }
  });
});

describe('/readyz', () => {
  it('is ready with PostgreSQL and Redis up, and names both', async () => {
    const t = await startTestApp({}, { redis: true });
    try {
      const res = await fetch(`${t.url}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ready', database: true, redis: true });
    } finally {
      await t.close();
    }
  });

  it('says degraded, but stays in rotation, when Redis cannot be reached', async () => {
    const t = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${await freePort()}`, CACHE_TIMEOUT_MS: 20 });
    try {
      const res = await fetch(`${t.url}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'degraded', database: true, redis: false });
    } finally {
      await t.close();
    }
  });

  it('reports an in-process bus as not configured', async () => {
    const t = await startTestApp();
    try {
      expect(await (await fetch(`${t.url}/readyz`)).json()).toEqual({ status: 'ready', database: true, redis: 'not configured' });
    } finally {
      await t.close();
    }
  });
});
