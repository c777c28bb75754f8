import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { gql } from './support/http.js';
import { killServerProcesses } from './support/server-process.js';
import { firstResults, startCluster, waitForSubscriptions, type Cluster } from './support/cluster.js';

afterAll(killServerProcesses);

const LOOKUP = 'query($p: String!) { customerLookup(by: { phone: $p }) { id firstName stats { visitCount } } }';

describe('two `pnpm serve` processes on one PostgreSQL and Redis serve one restaurant', { timeout: 120_000 }, () => {
  let c: Cluster;
  let a: Cluster['instances'][number];
  let b: Cluster['instances'][number];
  let menuItemId: string;

  beforeAll(async () => {
    c = await startCluster(2);
    [a, b] = c.instances as [typeof a, typeof b];
    const item = await gql<{ createMenuItem: { id: string } }>(
      a.url,
      'mutation($i: MenuItemInput!) { createMenuItem(input: $i) { id } }',
      { i: { sku: `SO-${randomUUID().slice(0, 8)}`, name: `Scale-out burger ${randomUUID().slice(0, 4)}`, category: 'Mains', price: 1_500, station: 'grill', allergens: [] } },
      c.tokens.MANAGER,
    );
    expect(item.errors).toBeUndefined();
    menuItemId = item.data!.createMenuItem.id;
  }, 120_000);
  afterAll(() => c?.close());

  it('a ticket placed through one instance reaches a kitchen screen subscribed on the other', async () => {
    const screen = c.ws(b.wsUrl, c.tokens.KITCHEN);
    const feed = firstResults<{ kitchenEvents: { type: string; ticket: { orderNumber: number; items: { name: string }[] } } }>(
      screen,
      'subscription { kitchenEvents(station: "grill") { type ticket { orderNumber items { name } } } }',
      {},
    );
    await waitForSubscriptions(b.url, 'kitchenEvents', 1);
    const placed = await gql<{ placeOrder: { number: number } }>(
      a.url,
      'mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { number } }',
      { i: { idempotencyKey: randomUUID(), table: '12', items: [{ menuItemId, quantity: 2 }] } },
      c.tokens.SERVER,
    );
    expect(placed.errors).toBeUndefined();
    const [event] = await feed.done;
    expect(event!.kitchenEvents.type).toBe('CREATED');
    expect(event!.kitchenEvents.ticket.orderNumber).toBe(placed.data!.placeOrder.number);
  });

  it('a greeting from a check-in on one instance reaches host screens on every instance', async () => {
    const phone = `+1415555${String(1000 + Math.floor(Math.random() * 9000))}`;
    const made = await gql(a.url, 'mutation($i: CustomerInput!) { createCustomer(input: $i) { id } }', { i: { firstName: 'Ada', phone } }, c.tokens.MANAGER);
    expect(made.errors).toBeUndefined();
    const query = 'subscription { guestArrivals { message customer { firstName } } }';
    const onA = firstResults<{ guestArrivals: { customer: { firstName: string } } }>(c.ws(a.wsUrl, c.tokens.HOST), query, {});
    const onB = firstResults<{ guestArrivals: { customer: { firstName: string } } }>(c.ws(b.wsUrl, c.tokens.HOST), query, {});
    await Promise.all([waitForSubscriptions(a.url, 'guestArrivals', 1), waitForSubscriptions(b.url, 'guestArrivals', 1)]);
    const checkIn = await gql(a.url, 'mutation($p: String!) { checkInGuest(by: { phone: $p }, partySize: 2) { message } }', { p: phone }, c.tokens.HOST);
    expect(checkIn.errors).toBeUndefined();
    const [[fromA], [fromB]] = await Promise.all([onA.done, onB.done]);
    expect(fromA!.guestArrivals.customer.firstName).toBe('Ada');
    expect(fromB!.guestArrivals.customer.firstName).toBe('Ada');
  });

  it('a profile changed through one instance is what lookups through the other return (the shared cache is invalidated)', async () => {
    const phone = `+1415556${String(1000 + Math.floor(Math.random() * 9000))}`;
    const made = await gql<{ createCustomer: { id: string } }>(a.url, 'mutation($i: CustomerInput!) { createCustomer(input: $i) { id } }', { i: { firstName: 'Grace', phone } }, c.tokens.MANAGER);
    const id = made.data!.createCustomer.id;
    // Warm the cache through B, twice, so the second answer is the cached one.
    for (let i = 0; i < 2; i++) {
      const warm = await gql<{ customerLookup: { firstName: string; stats: { visitCount: number } } }>(b.url, LOOKUP, { p: phone }, c.tokens.SERVER);
      expect(warm.data!.customerLookup).toMatchObject({ firstName: 'Grace', stats: { visitCount: 0 } });
    }
    // A rename through A...
    const renamed = await gql(a.url, 'mutation($id: ID!, $p: CustomerPatch!) { updateCustomer(id: $id, input: $p) { id } }', { id, p: { firstName: 'Grace H.' } }, c.tokens.MANAGER);
    expect(renamed.errors).toBeUndefined();
    expect((await gql<{ customerLookup: { firstName: string } }>(b.url, LOOKUP, { p: phone }, c.tokens.SERVER)).data!.customerLookup.firstName).toBe('Grace H.');
    // ...and a visit paid through A show through B at once.
    const order = await gql<{ placeOrder: { id: string; total: number } }>(
      a.url,
      'mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id total } }',
      { i: { idempotencyKey: randomUUID(), customerId: id, items: [{ menuItemId, quantity: 1 }] } },
      c.tokens.SERVER,
    );
    expect(order.errors).toBeUndefined();
    const paid = await gql(
      a.url,
      'mutation($id: ID!, $i: CheckoutInput!) { checkout(orderId: $id, input: $i) { status } }',
      { id: order.data!.placeOrder.id, i: { idempotencyKey: randomUUID(), payments: [{ method: 'CARD', amount: order.data!.placeOrder.total }] } },
      c.tokens.SERVER,
    );
    expect(paid.errors).toBeUndefined();
    expect((await gql<{ customerLookup: { stats: { visitCount: number } } }>(b.url, LOOKUP, { p: phone }, c.tokens.SERVER)).data!.customerLookup.stats.visitCount).toBe(1);
  });
});
