import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { collect, settle, startTestApp, type TestApp } from './support/app.js';
import { checkout, count, customer, key, menuItem, ORDER_FIELDS, placeOrder } from './support/factories.js';
import { readable, recordMessages } from './support/messages.js';

let t: TestApp;
const queries: string[] = [];
beforeAll(async () => {
  t = await startTestApp({ TAX_RATE_BPS: 875 }, { onQuery: (sql) => queries.push(sql) });
});
afterAll(() => t?.close());

const STOCK = '{ menu { id stock available } }';
async function stockOf(id: string): Promise<number | null> {
  const res = await t.gql<{ menu: { id: string; stock: number | null }[] }>(STOCK, {}, t.tokens.MANAGER);
  return res.data!.menu.find((m) => m.id === id)!.stock;
}

describe('placeOrder', () => {
  it('prices lines from the menu, keeps modifiers and notes, numbers orders in sequence and takes tracked stock', async () => {
    const burger = await menuItem(t, { price: 1_750, stock: 5 });
    const fries = await menuItem(t, { price: 550 });
    const first = await placeOrder(t, {
      table: '12',
      items: [
        { menuItemId: burger.id, quantity: 2, modifiers: ['medium rare', ' no onions '], notes: 'allergy: sesame' },
        { menuItemId: fries.id, quantity: 1 },
      ],
    });
    expect(first.errors).toBeUndefined();
    const o = first.data!.placeOrder;
    expect(o).toMatchObject({ status: 'OPEN', table: '12', subtotal: 4_050, tax: 354, tip: 0, total: 4_404, paidAt: null });
    expect(o.lines).toHaveLength(2);
    expect(o.lines[0]).toMatchObject({ name: burger.name, quantity: 2, unitPrice: 1_750, modifiers: ['medium rare', 'no onions'], notes: 'allergy: sesame' });
    expect(await stockOf(burger.id)).toBe(3);

    const second = await placeOrder(t, { items: [{ menuItemId: fries.id, quantity: 1 }] });
    expect(second.data!.placeOrder.number).toBe(o.number + 1);

    // A later price change does not touch an order already placed.
    await t.gql('mutation($id: ID!) { updateMenuItem(id: $id, input: { price: 1999 }) { id } }', { id: burger.id }, t.tokens.MANAGER);
    const again = await t.gql<{ order: { lines: { unitPrice: number }[] } }>('query($id: ID!) { order(id: $id) { lines { unitPrice } } }', { id: o.id }, t.tokens.SERVER);
    expect(again.data!.order.lines[0]!.unitPrice).toBe(1_750);
  });

  it('fails whole with OUT_OF_STOCK naming the items, and writes nothing', async () => {
    const special = await menuItem(t, { stock: 2, name: `Short rib ${key().slice(0, 4)}` });
    const plenty = await menuItem(t, { stock: 50 });
    const ordersBefore = await count(t, 'orders');
    const res = await placeOrder(t, { items: [{ menuItemId: plenty.id, quantity: 3 }, { menuItemId: special.id, quantity: 3 }] });
    expect(res.errors?.[0]?.extensions?.code).toBe('OUT_OF_STOCK');
    expect(res.errors?.[0]?.message).toContain(special.name);
    expect(res.errors?.[0]?.extensions?.items).toEqual([{ menuItemId: special.id, name: special.name, requested: 3, available: 2 }]);
    expect(await stockOf(plenty.id)).toBe(50);
    expect(await stockOf(special.id)).toBe(2);
    expect(await count(t, 'orders')).toBe(ordersBefore);
  });

  it('refuses an item switched off, and an unknown item', async () => {
    const item = await menuItem(t);
    await t.gql('mutation($id: ID!) { updateMenuItem(id: $id, input: { available: false }) { id } }', { id: item.id }, t.tokens.MANAGER);
    const off = await placeOrder(t, { items: [{ menuItemId: item.id, quantity: 1 }] });
    expect(off.errors?.[0]?.extensions?.code).toBe('OUT_OF_STOCK');
    const unknown = await placeOrder(t, { items: [{ menuItemId: '00000000-0000-4000-8000-000000000000', quantity: 1 }] });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses bad input with BAD_USER_INPUT naming the field, writing nothing', async () => {
    const item = await menuItem(t, { stock: 5 });
    const before = await count(t, 'orders');
    for (const items of [[], [{ menuItemId: item.id, quantity: 0 }], [{ menuItemId: item.id, quantity: 100 }], [{ menuItemId: item.id, quantity: 1, modifiers: [''] }]]) {
      const res = await placeOrder(t, { items });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(items)).toBe('BAD_USER_INPUT');
    }
    const noKey = await placeOrder(t, { idempotencyKey: '  ', items: [{ menuItemId: item.id, quantity: 1 }] });
    expect(noKey.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await count(t, 'orders')).toBe(before);
    expect(await stockOf(item.id)).toBe(5);
  });

  it('lets SERVER, MANAGER and ADMIN order, and nobody else', async () => {
    const item = await menuItem(t);
    for (const role of ['SERVER', 'MANAGER', 'ADMIN'] as const) {
      expect((await placeOrder(t, { items: [{ menuItemId: item.id, quantity: 1 }] }, t.tokens[role])).errors, role).toBeUndefined();
    }
    for (const role of ['HOST', 'KITCHEN'] as const) {
      expect((await placeOrder(t, { items: [{ menuItemId: item.id, quantity: 1 }] }, t.tokens[role])).errors?.[0]?.extensions?.code, role).toBe('FORBIDDEN');
    }
    expect((await placeOrder(t, { items: [{ menuItemId: item.id, quantity: 1 }] }, '')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('sells exactly the stock under 50 concurrent orders, never going below zero', { timeout: 60_000 }, async () => {
    const item = await menuItem(t, { stock: 10 });
    const results = await Promise.all(Array.from({ length: 50 }, () => placeOrder(t, { items: [{ menuItemId: item.id, quantity: 1 }] })));
    const ok = results.filter((r) => !r.errors);
    const refused = results.filter((r) => r.errors?.[0]?.extensions?.code === 'OUT_OF_STOCK');
    expect(results.filter((r) => r.errors && r.errors[0]?.extensions?.code !== 'OUT_OF_STOCK').map((r) => r.errors)).toEqual([]);
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(40);
    expect(await stockOf(item.id)).toBe(0);
    expect(await count(t, 'order_line', 'menu_item_id = ?', [item.id])).toBe(10);
  });

  it('publishes an item that reaches 0 on menuUpdates, as unavailable', async () => {
    const item = await menuItem(t, { stock: 1 });
    const updates = collect<{ menuUpdates: { id: string; stock: number; available: boolean } }>(
      t.ws(t.tokens.KITCHEN),
      'subscription { menuUpdates { id stock available } }',
      {},
      1,
    );
    await settle();
    expect((await placeOrder(t, { items: [{ menuItemId: item.id, quantity: 1 }] })).errors).toBeUndefined();
    const [event] = await updates.done;
    expect(event!.data!.menuUpdates).toEqual({ id: item.id, stock: 0, available: false });
  });
});

describe('the write path (bench W4)', () => {
  const ORDER = `query($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`;

  it('places and pays an order for a known guest in a fixed, small number of SQL statements, answering what a re-read shows', async () => {
    const tracked = await menuItem(t, { price: 1_200, stock: 50 });
    const plain = await menuItem(t, { price: 800, station: 'cold' });
    const guest = await customer(t);
    const items = [
      { menuItemId: tracked.id, quantity: 2, modifiers: ['no "salt"', "it's fine"], notes: 'window' },
      { menuItemId: plain.id, quantity: 1 },
    ];
    const messages = await recordMessages(t.orm);
    queries.length = 0;
    const placed = await placeOrder(t, { table: '7', customerId: guest.id, items });
    const placeStatements = queries.length;
    // BEGIN goes with the first statement and COMMIT with the last: two round trips fewer, and the
    // day's counter row is unlocked as soon as the order is written.
    expect(messages).toHaveLength(placeStatements - 2);
    expect(messages[0]).toMatch(/^begin;/);
    expect(messages.map((m) => readable(t.orm, m)).find((m) => m.includes('"order_day_counter"'))).toMatch(/;\ncommit$/);
    expect(placed.errors).toBeUndefined();
    const o = placed.data!.placeOrder;
    // begin, idempotency key with the menu items and the guest, stock (one tracked item), the order with its number,
    // lines, tickets and events, commit (was 16, then 7); then the guest, only because this answer asks for
    // \`customer\` (W4's does not).
    expect(placeStatements).toBe(5 + 1);
    // The key is written once, with its result, by the first statement. A later lookup by key ran as a
    // scan of every key kept (a generic plan made while the table was small; RESULTS.md, twelfth pass).
    const touchingKeys = (sent: string[]) => sent.map((m) => readable(t.orm, m)).filter((m) => m.includes('"idempotency_key"'));
    expect(touchingKeys(messages)).toEqual([readable(t.orm, messages[0]!)]);
    // Its statements run prepared (infra/prepared-statements.ts; the tests prepare each shape on its first run).
    const executes = (sent: string[]) => sent.filter((m) => /^(begin;)?execute "w_[0-9a-f]+"/.test(m)).length;
    expect(executes(messages)).toBe(3);
    expect(o.lines[0].menuItem.stock).toBe(48);
    expect((await t.gql<{ order: any }>(ORDER, { id: o.id }, t.tokens.SERVER)).data!.order).toEqual(o);

    messages.length = 0;
    queries.length = 0;
    const paid = await checkout(t, o.id, { tip: 100, payments: [{ method: 'CASH', amount: 5_000 }] });
    const checkoutStatements = queries.length;
    expect(messages).toHaveLength(checkoutStatements - 2);
    expect(messages[0]).toMatch(/^begin;/);
    expect(messages.map((m) => readable(t.orm, m)).find((m) => m.includes('update "orders" set "status"'))).toMatch(/;\ncommit$/);
    expect(paid.errors).toBeUndefined();
    // begin, idempotency key with the order locked, its lines and its guest's profile locked, then payments + order
    // + points + dishes + the profile's stats and stage, commit (was 17, then 9, then 6, then 5); then the guest, which
    // this answer asks for (W4's does not).
    expect(checkoutStatements).toBe(4 + 1);
    expect(touchingKeys(messages)).toEqual([readable(t.orm, messages[0]!)]);
    expect(executes(messages)).toBe(2);
    expect(paid.data!.checkout).toMatchObject({ status: 'PAID', subtotal: 3_200, tax: 280, tip: 100, total: 3_580, changeGiven: 1_420 });
    expect((await t.gql<{ order: any }>(ORDER, { id: o.id }, t.tokens.SERVER)).data!.order).toEqual(paid.data!.checkout);
    expect(await count(t, 'kitchen_ticket', 'order_id = ?', [o.id])).toBe(2);
    expect(await count(t, 'kitchen_event', `ticket->>'orderId' = ?`, [o.id])).toBe(2);
    expect(await count(t, 'payment', 'order_id = ?', [o.id])).toBe(1);
    expect(await count(t, 'points_entry', 'order_id = ?', [o.id])).toBe(1);
    // One new version of the guest's row (updated in place as a rule, no index entries: crm.test.ts):
    // the stats and the stage written together.
    const sql = messages.map((m) => readable(t.orm, m)).join('\n');
    expect(sql.match(/update "customer"/g)).toHaveLength(1);
  });

  it('gives the rows each order appends time-ordered ids (UUID v7), so they go on the last page of their indexes', async () => {
    const dish = await menuItem(t, { price: 900 });
    const guest = await customer(t);
    const orderIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const o = (await placeOrder(t, { customerId: guest.id, items: [{ menuItemId: dish.id, quantity: 1 }] })).data!.placeOrder;
      expect((await checkout(t, o.id, { payments: [{ method: 'CASH', amount: 5_000 }] })).errors).toBeUndefined();
      orderIds.push(o.id);
    }
    expect([...orderIds].sort()).toEqual(orderIds); // in the order they were made
    const em = t.orm.em.fork();
    for (const id of orderIds) {
      const rows = await em.execute<{ kind: string; id: string }[]>(
        `select 'order_line' as kind, id::text from order_line where order_id = ?
         union all select 'payment', id::text from payment where order_id = ?
         union all select 'kitchen_ticket', id::text from kitchen_ticket where order_id = ?
         union all select 'points_entry', id::text from points_entry where order_id = ?`,
        [id, id, id, id],
      );
      expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(['order_line', 'payment', 'kitchen_ticket', 'points_entry']));
      for (const r of [{ kind: 'orders', id }, ...rows]) expect(r.id[14], r.kind).toBe('7'); // the version digit
    }
  });

  it("writes the profile of a guest attached to the order while checkout waited for the order's lock", { timeout: 30_000 }, async () => {
    const item = await menuItem(t, { price: 2_000 });
    const guest = await customer(t);
    const o = (await placeOrder(t, { items: [{ menuItemId: item.id, quantity: 1 }] })).data!.placeOrder;
    // Another transaction holds the order and attaches the guest; checkout's first statement
    // reads the order's guest (none yet) and then waits for the order.
    const paid = await checkoutWhileHeld(o.id, { payments: [{ method: 'CARD', amount: 2_175 }] }, async (tx) => {
      await tx.execute('update orders set customer_id = ? where id = ?', [guest.id, o.id]);
    });
    expect(paid.errors).toBeUndefined();
    const facts = await t.gql<{ customer: any }>(
      'query($id: ID!) { customer(id: $id) { lifecycleStage stats { visitCount totalSpent } usualDishes { count menuItem { id } } } }',
      { id: guest.id },
      t.tokens.MANAGER,
    );
    expect(facts.data!.customer).toMatchObject({ lifecycleStage: 'NEW', stats: { visitCount: 1, totalSpent: 2_175 }, usualDishes: [{ count: 1, menuItem: { id: item.id } }] });
  });

  it("pays the lines added to the order while checkout waited for the order's lock", { timeout: 30_000 }, async () => {
    const first = await menuItem(t, { price: 2_000 });
    const added = await menuItem(t, { price: 1_000 });
    const o = (await placeOrder(t, { items: [{ menuItemId: first.id, quantity: 1 }] })).data!.placeOrder;
    // Another transaction holds the order and adds a line as addOrderItems does (the line, and the
    // order row written); checkout's first statement reads the lines it can see (one) and waits.
    const paid = await checkoutWhileHeld(o.id, { payments: [{ method: 'CASH', amount: 5_000 }] }, async (tx) => {
      await tx.execute('select 1 from orders where id = ? for update', [o.id]);
      await tx.execute(
        `insert into order_line (id, order_id, menu_item_id, position, name, station, quantity, unit_price, modifiers, created_at)
         values (gen_random_uuid(), ?, ?, 1, ?, 'grill', 1, 1000, '{}', now())`,
        [o.id, added.id, added.name],
      );
      await tx.execute('update orders set subtotal = subtotal + 1000, updated_at = now() where id = ?', [o.id]);
    });
    expect(paid.errors).toBeUndefined();
    expect(paid.data!.checkout.subtotal).toBe(3_000);
    expect(paid.data!.checkout.lines.map((l: { name: string }) => l.name)).toEqual([first.name, added.name]);
    const [row] = await t.orm.em.fork().execute<{ subtotal: number }[]>('select subtotal from orders where id = ?', [o.id]);
    expect(row!.subtotal).toBe(3_000);
  });

  it('writes the order row when items are added, also a free one (a waiting checkout reads the lines again)', async () => {
    const free = await menuItem(t, { price: 0 });
    const o = (await placeOrder(t, { items: [{ menuItemId: free.id, quantity: 1 }] })).data!.placeOrder;
    const version = async () => (await t.orm.em.fork().execute<{ v: string }[]>('select xmin::text as v from orders where id = ?', [o.id]))[0]!.v;
    const before = await version();
    const res = await t.gql('mutation($o: ID!, $i: [OrderItemInput!]!) { addOrderItems(orderId: $o, items: $i) { subtotal } }', { o: o.id, i: [{ menuItemId: free.id, quantity: 1 }] }, t.tokens.SERVER);
    expect(res.errors).toBeUndefined();
    expect(await version()).not.toBe(before);
  });
});

describe('idempotency', () => {
  it('replays the first result for the same key and payload, and is CONFLICT for another payload', async () => {
    const item = await menuItem(t, { stock: 10 });
    const k = key();
    const input = { idempotencyKey: k, items: [{ menuItemId: item.id, quantity: 2 }] };
    const a = await placeOrder(t, input);
    const b = await placeOrder(t, input);
    expect(b.errors).toBeUndefined();
    expect(b.data!.placeOrder.id).toBe(a.data!.placeOrder.id);
    expect(await stockOf(item.id)).toBe(8);
    const other = await placeOrder(t, { ...input, items: [{ menuItemId: item.id, quantity: 3 }] });
    expect(other.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    // Keys are scoped to the caller: another staff member's identical key is their own.
    const mine = await placeOrder(t, input, t.tokens.MANAGER);
    expect(mine.data!.placeOrder.id).not.toBe(a.data!.placeOrder.id);
  });

  it('creates exactly one order for 20 concurrent calls with one key', { timeout: 30_000 }, async () => {
    const item = await menuItem(t, { stock: 100 });
    const input = { idempotencyKey: key(), items: [{ menuItemId: item.id, quantity: 1 }] };
    const results = await Promise.all(Array.from({ length: 20 }, () => placeOrder(t, input)));
    expect(results.map((r) => r.errors)).toEqual(Array(20).fill(undefined));
    expect(new Set(results.map((r) => r.data!.placeOrder.id)).size).toBe(1);
    expect(await count(t, 'order_line', 'menu_item_id = ?', [item.id])).toBe(1);
    expect(await stockOf(item.id)).toBe(99);
  });

  it('keeps keys at least 72 hours', async () => {
    const item = await menuItem(t);
    const k = key();
    await placeOrder(t, { idempotencyKey: k, items: [{ menuItemId: item.id, quantity: 1 }] });
    const [row] = await t.orm.em.fork().execute<{ hours: number }[]>(
      `select extract(epoch from expires_at - created_at) / 3600 as hours from idempotency_key where key = ?`,
      [k],
    );
    expect(Number(row!.hours)).toBeGreaterThanOrEqual(72);
  });

  it('drops only expired keys when purging', async () => {
    const em = t.orm.em.fork();
    const insert = `insert into idempotency_key (scope, actor_id, key, request_hash, created_at, expires_at)
      values ('placeOrder', gen_random_uuid(), ?, 'x', now() - interval '100 hours', now() + make_interval(hours => ?))`;
    const [expired, live] = [key(), key()];
    await em.execute(insert, [expired, -1]);
    await em.execute(insert, [live, 1]);
    expect(await t.app.services.idempotency.purgeExpired(em)).toBeGreaterThanOrEqual(1);
    expect(await count(t, 'idempotency_key', 'key = ?', [expired])).toBe(0);
    expect(await count(t, 'idempotency_key', 'key = ?', [live])).toBe(1);
  });

  it('replays a checkout, and runs 20 concurrent checkouts with one key once', { timeout: 30_000 }, async () => {
    const item = await menuItem(t, { price: 1_000 });
    const guest = await customer(t);
    const order = (await placeOrder(t, { customerId: guest.id, items: [{ menuItemId: item.id, quantity: 1 }] })).data!.placeOrder;
    const input = { idempotencyKey: key(), payments: [{ method: 'CARD', amount: 1_088, reference: 'ch_1' }] };
    const results = await Promise.all(Array.from({ length: 20 }, () => checkout(t, order.id, input)));
    expect(results.map((r) => r.errors)).toEqual(Array(20).fill(undefined));
    expect(results.every((r) => r.data!.checkout.status === 'PAID')).toBe(true);
    expect(await count(t, 'payment', 'order_id = ?', [order.id])).toBe(1);
    const stats = await t.gql<{ customer: { stats: { visitCount: number } } }>('query($id: ID!) { customer(id: $id) { stats { visitCount } } }', { id: guest.id }, t.tokens.MANAGER);
    expect(stats.data!.customer.stats.visitCount).toBe(1);
    // A new key on a paid order is a CONFLICT, not a second payment.
    expect((await checkout(t, order.id, { ...input, idempotencyKey: key() })).errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });
});

describe('addOrderItems, attachCustomer, voidOrder', () => {
  it('adds stock-checked items to an open order and reprices it', async () => {
    const a = await menuItem(t, { price: 1_000 });
    const b = await menuItem(t, { price: 500, stock: 1 });
    const order = (await placeOrder(t, { items: [{ menuItemId: a.id, quantity: 1 }] })).data!.placeOrder;
    const add = `mutation($id: ID!, $items: [OrderItemInput!]!) { addOrderItems(orderId: $id, items: $items) { ${ORDER_FIELDS} } }`;
    const short = await t.gql(add, { id: order.id, items: [{ menuItemId: b.id, quantity: 2 }] }, t.tokens.SERVER);
    expect(short.errors?.[0]?.extensions?.code).toBe('OUT_OF_STOCK');
    const res = await t.gql<{ addOrderItems: any }>(add, { id: order.id, items: [{ menuItemId: b.id, quantity: 1, notes: 'on the side' }] }, t.tokens.SERVER);
    expect(res.errors).toBeUndefined();
    expect(res.data!.addOrderItems).toMatchObject({ subtotal: 1_500, tax: 131, total: 1_631 });
    expect(res.data!.addOrderItems.lines.map((l: any) => l.name)).toEqual([a.name, b.name]);
    expect(await stockOf(b.id)).toBe(0);
  });

  it('attaches a guest to an open order', async () => {
    const item = await menuItem(t);
    const guest = await customer(t, { firstName: 'Maria' });
    const order = (await placeOrder(t, { items: [{ menuItemId: item.id, quantity: 1 }] })).data!.placeOrder;
    const res = await t.gql<{ attachCustomer: any }>(
      'mutation($o: ID!, $c: ID!) { attachCustomer(orderId: $o, customerId: $c) { customer { id firstName } } }',
      { o: order.id, c: guest.id },
      t.tokens.SERVER,
    );
    expect(res.data!.attachCustomer.customer).toEqual({ id: guest.id, firstName: 'Maria' });
  });

  it('voids an open order with a reason (MANAGER or ADMIN only), giving its stock back', async () => {
    const item = await menuItem(t, { stock: 4 });
    const guest = await customer(t);
    const order = (await placeOrder(t, { customerId: guest.id, items: [{ menuItemId: item.id, quantity: 3 }] })).data!.placeOrder;
    const voidIt = 'mutation($id: ID!, $r: String!) { voidOrder(orderId: $id, reason: $r) { status } }';
    expect((await t.gql(voidIt, { id: order.id, r: 'guest left' }, t.tokens.SERVER)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(voidIt, { id: order.id, r: '   ' }, t.tokens.MANAGER)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const res = await t.gql<{ voidOrder: { status: string } }>(voidIt, { id: order.id, r: 'guest left' }, t.tokens.MANAGER);
    expect(res.data!.voidOrder.status).toBe('VOIDED');
    expect(await stockOf(item.id)).toBe(4);
    expect((await t.gql(voidIt, { id: order.id, r: 'again' }, t.tokens.ADMIN)).errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect((await checkout(t, order.id, { payments: [{ method: 'CASH', amount: 99_999 }] })).errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const stats = await t.gql<{ customer: { stats: { visitCount: number; totalSpent: number } } }>(
      'query($id: ID!) { customer(id: $id) { stats { visitCount totalSpent } } }',
      { id: guest.id },
      t.tokens.MANAGER,
    );
    expect(stats.data!.customer.stats).toEqual({ visitCount: 0, totalSpent: 0 });
  });
});

describe('checkout', () => {
  async function openOrder(price = 1_050, quantity = 1) {
    const item = await menuItem(t, { price });
    return (await placeOrder(t, { items: [{ menuItemId: item.id, quantity }] })).data!.placeOrder;
  }

  it('prices with tax rounded half up and the tip, marks the order PAID and records the payments', async () => {
    const order = await openOrder(1_050);
    const res = await checkout(t, order.id, { tip: 200, payments: [{ method: 'CARD', amount: 1_342, reference: 'ch_3PqZx2' }] });
    expect(res.errors).toBeUndefined();
    expect(res.data!.checkout).toMatchObject({ status: 'PAID', subtotal: 1_050, discount: 0, tax: 92, tip: 200, total: 1_342, changeGiven: 0 });
    expect(res.data!.checkout.payments).toEqual([expect.objectContaining({ method: 'CARD', amount: 1_342, reference: 'ch_3PqZx2' })]);
    expect(Date.parse(res.data!.checkout.paidAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('is PAYMENT_REQUIRED when payments fall short, and writes nothing', async () => {
    const order = await openOrder(1_000);
    const res = await checkout(t, order.id, { payments: [{ method: 'CARD', amount: 1_000 }] });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'PAYMENT_REQUIRED', total: 1_088, tendered: 1_000 });
    expect(await count(t, 'payment', 'order_id = ?', [order.id])).toBe(0);
    expect(await count(t, 'orders', "id = ? and status = 'OPEN'", [order.id])).toBe(1);
  });

  it('allows over-tender in cash only, recorded as change', async () => {
    const card = await openOrder(1_000);
    expect((await checkout(t, card.id, { payments: [{ method: 'CARD', amount: 1_500 }] })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const cash = await openOrder(1_000);
    const res = await checkout(t, cash.id, { payments: [{ method: 'CARD', amount: 500 }, { method: 'CASH', amount: 2_000 }] });
    expect(res.data!.checkout).toMatchObject({ status: 'PAID', total: 1_088, changeGiven: 1_412 });
  });

  it('refuses a card number in a payment reference, typed any way', async () => {
    const order = await openOrder();
    for (const reference of ['4111111111111111', '4111 1111 1111 1111', 'card 5500-0000-0000-0004']) {
      const res = await checkout(t, order.id, { payments: [{ method: 'CARD', amount: 5_000, reference }] });
      expect(res.errors?.[0]?.extensions?.code, reference).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).not.toContain('4111');
    }
    expect(await count(t, 'payment', 'order_id = ?', [order.id])).toBe(0);
  });

  it('refuses a promotion code or reward that does not exist', async () => {
    const order = await openOrder();
    expect((await checkout(t, order.id, { promotionCode: 'NOPE', payments: [{ method: 'CASH', amount: 5_000 }] })).errors?.[0]?.extensions?.code).toBe(
      'BAD_USER_INPUT',
    );
  });
});

describe('orderUpdates', () => {
  it('publishes after commit, and nothing for a rolled-back order', async () => {
    const item = await menuItem(t, { stock: 1 });
    const events: { orderUpdates: { id: string; status: string } }[] = [];
    const client = t.ws(t.tokens.SERVER);
    const stop = client.subscribe<{ orderUpdates: { id: string; status: string } }>(
      { query: 'subscription { orderUpdates { id status total } }' },
      { next: (r) => r.data && events.push(r.data), error: () => undefined, complete: () => undefined },
    );
    await settle();
    const refused = await placeOrder(t, { items: [{ menuItemId: item.id, quantity: 2 }] });
    expect(refused.errors?.[0]?.extensions?.code).toBe('OUT_OF_STOCK');
    const placed = (await placeOrder(t, { items: [{ menuItemId: item.id, quantity: 1 }] })).data!.placeOrder;
    await checkout(t, placed.id, { payments: [{ method: 'CASH', amount: 5_000 }] });
    await settle(300);
    stop();
    expect(events.map((e) => [e.orderUpdates.id, e.orderUpdates.status])).toEqual([
      [placed.id, 'OPEN'],
      [placed.id, 'PAID'],
    ]);
  });

  it('is not open to the kitchen or the host', async () => {
    for (const role of ['KITCHEN', 'HOST'] as const) {
      const sub = collect(t.ws(t.tokens[role]), 'subscription { orderUpdates { id total } }', {}, 1, 2000);
      const [result] = await sub.done;
      expect(result!.errors?.[0]?.extensions?.code, role).toBe('FORBIDDEN');
    }
  });
});

describe('orders query', () => {
  it('pages newest first with a cursor, filtered by status', async () => {
    const item = await menuItem(t);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await placeOrder(t, { items: [{ menuItemId: item.id, quantity: 1 }] })).data!.placeOrder.id);
    const q = 'query($after: String) { orders(status: OPEN, first: 2, after: $after) { nodes { id status } pageInfo { endCursor hasNextPage } } }';
    const p1 = await t.gql<{ orders: any }>(q, {}, t.tokens.SERVER);
    expect(p1.data!.orders.nodes.map((n: any) => n.id)).toEqual([ids[2], ids[1]]);
    expect(p1.data!.orders.pageInfo.hasNextPage).toBe(true);
    const p2 = await t.gql<{ orders: any }>(q, { after: p1.data!.orders.pageInfo.endCursor }, t.tokens.SERVER);
    expect(p2.data!.orders.nodes[0].id).toBe(ids[0]);
    expect(p2.data!.orders.nodes.every((n: any) => n.status === 'OPEN')).toBe(true);
    expect((await t.gql(q, { after: 'garbage' }, t.tokens.SERVER)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await t.gql('{ orders { nodes { id } } }', {}, t.tokens.KITCHEN)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

/**
 * Checkout of an order that another transaction holds: `hold` runs in that transaction (it must
 * lock the order), checkout is sent, and the transaction commits once checkout waits for a lock.
 */
async function checkoutWhileHeld(
  orderId: string,
  input: Parameters<typeof checkout>[2],
  hold: (tx: EntityManager) => Promise<void>,
): Promise<Awaited<ReturnType<typeof checkout>>> {
  let pending: ReturnType<typeof checkout> | undefined;
  await t.orm.em.fork().transactional(async (tx) => {
    await hold(tx);
    pending = checkout(t, orderId, input);
    for (let i = 0; ; i++) {
      const [w] = await t.orm.em.fork().execute<{ n: string }[]>(
        `select count(*)::text as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`,
      );
      if (Number(w!.n) > 0) break;
      if (i > 200) throw new Error('checkout never waited for the order');
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  return pending!;
}
