import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, getNamedType, isObjectType, type GraphQLNamedType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { settle, startTestApp, type TestApp } from './support/app.js';
import { customer, key, menuItem, placeOrder } from './support/factories.js';
import { Order } from '../src/modules/orders/order.entity.js';
import { KitchenService } from '../src/modules/kitchen/kitchen.service.js';
import { KITCHEN_WAKE, KitchenLog } from '../src/modules/kitchen/kitchen-log.js';
import { createEventBus } from '../src/infra/pubsub.js';
import { createLogger } from '../src/infra/logger.js';

let t: TestApp;
let grill: { id: string; name: string };
let fry: { id: string; name: string };
let bar: { id: string; name: string };
beforeAll(async () => {
  t = await startTestApp();
  // Stations of their own, so other tests' tickets stay off these boards.
  const tag = key().slice(0, 6);
  [grill, fry, bar] = await Promise.all([
    menuItem(t, { station: `grill${tag}`, name: `Ribeye ${tag}` }),
    menuItem(t, { station: `fry${tag}`, name: `Fries ${tag}` }),
    menuItem(t, { station: `bar${tag}`, name: `Lager ${tag}` }),
  ]);
});
afterAll(() => t?.close());

const stationOf = (item: { name: string }) => item.name.split(' ')[0]!.toLowerCase().replace('ribeye', 'grill').replace('fries', 'fry').replace('lager', 'bar') + item.name.split(' ')[1];
const TICKET = 'id orderId orderNumber station table status items { name quantity modifiers notes allergens } guestName guestAllergies createdAt bumpedAt';
const BOARD = `query($s: String) { kitchenBoard(station: $s) { cursor allDay { name quantity } tickets { ${TICKET} } } }`;

async function board(station: string, token = t.tokens.KITCHEN) {
  const res = await t.gql<{ kitchenBoard: any }>(BOARD, { s: station }, token);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.kitchenBoard;
}

async function logCount(): Promise<number> {
  const [row] = await t.orm.em.fork().execute<{ n: number }[]>('select count(*)::int as n from kitchen_event');
  return row!.n;
}

/** Subscribes and collects every event until stopped. */
function follow(client: Client, station: string | null, since?: string) {
  const events: { cursor: string; type: string; ticket: any }[] = [];
  const errors: unknown[] = [];
  const stop = client.subscribe<{ kitchenEvents: { cursor: string; type: string; ticket: any } }>(
    { query: `subscription($s: String, $since: String) { kitchenEvents(station: $s, since: $since) { cursor type ticket { ${TICKET} } } }`, variables: { s: station, since } },
    { next: (r) => (r.data ? events.push(r.data.kitchenEvents) : errors.push(r.errors)), error: (e) => errors.push(e), complete: () => undefined },
  );
  return { events, errors, stop };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The app's ORM, with reads of the kitchen log (not the reader's start) counted, and held back
 * while `gate` is set: a real database, observed.
 */
function readCounting() {
  const state = { reads: 0, gate: null as Promise<void> | null, orm: null as unknown as typeof t.orm };
  // The reads are prepared statements, which run through the connection's executeQuery.
  const connection = t.orm.em.getConnection() as unknown as { executeQuery: (sql: string, run: () => Promise<unknown>) => Promise<unknown> };
  const executeQuery = async (sql: string, run: () => Promise<unknown>) => {
    const read = /from "kitchen_event" e\s+where e."id" >/.test(sql);
    if (read) state.reads++;
    const result = await connection.executeQuery(sql, run);
    if (read && state.gate) await state.gate;
    return result;
  };
  const observed = except(connection, { executeQuery });
  state.orm = except(t.orm, { em: except(t.orm.em, { getConnection: () => observed }) });
  return state;
}

/** `target` with some members replaced; everything else is the object itself (its methods use private fields). */
function except<T extends object>(target: T, overrides: Record<string | symbol, unknown>): T {
  return new Proxy(target, {
    get: (o, prop) => {
      if (prop in overrides) return overrides[prop];
      const value: unknown = Reflect.get(o, prop, o);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(o) : value;
    },
  });
}

/** Appends one ticket for an order that was not sent, without waking any reader. */
async function appendTicket(item: { id: string; name: string }): Promise<string> {
  const order = (await placeOrder(t, { sendToKitchen: false, items: [{ menuItemId: item.id, quantity: 1 }] })).data!.placeOrder;
  await t.orm.em.fork().transactional(async (em) => {
    await t.app.services.kitchen.createTickets(em, (await em.findOne(Order, order.id))!, [{ name: item.name, station: stationOf(item), quantity: 1, modifiers: [], notes: null, allergens: [] }], null);
  });
  return order.id;
}

/** A log reader of its own (its own bus, reads counted, no poll) on the bar station. */
function ownLog() {
  const counted = readCounting();
  const bus = createEventBus();
  return { station: stationOf(bar), counted, bus, log: new KitchenLog(bus, counted.orm, createLogger({ LOG_LEVEL: 'silent' }), 600_000) };
}

describe('tickets', () => {
  it('routes one ticket per station with items, modifiers, notes, allergens, table, number and the guest', async () => {
    const guest = await customer(t, { firstName: 'Maria', lastName: 'Secret', phone: `+1415555${String(Date.now()).slice(-4)}`, allergies: ['Peanuts', 'shellfish'] });
    const placed = await placeOrder(t, {
      table: '7',
      customerId: guest.id,
      items: [
        { menuItemId: grill.id, quantity: 2, modifiers: ['medium rare'], notes: 'sauce on the side' },
        { menuItemId: fry.id, quantity: 1 },
        { menuItemId: bar.id, quantity: 3 },
      ],
    });
    expect(placed.errors).toBeUndefined();
    const order = placed.data!.placeOrder;
    const g = await board(stationOf(grill));
    const mine = g.tickets.filter((tk: any) => tk.orderId === order.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      orderNumber: order.number,
      table: '7',
      status: 'NEW',
      guestName: 'Maria',
      guestAllergies: ['peanuts', 'shellfish'],
      items: [{ name: grill.name, quantity: 2, modifiers: ['medium rare'], notes: 'sauce on the side', allergens: ['milk'] }],
    });
    expect((await board(stationOf(fry))).tickets.filter((tk: any) => tk.orderId === order.id)[0].items).toEqual([
      { name: fry.name, quantity: 1, modifiers: [], notes: null, allergens: ['milk'] },
    ]);
    const b = await board(stationOf(bar));
    expect(b.allDay).toContainEqual({ name: bar.name, quantity: expect.any(Number) });
    expect(b.tickets.filter((tk: any) => tk.orderId === order.id)).toHaveLength(1);
    expect(JSON.stringify([g, b])).not.toMatch(/Secret|\+1415/);
    // The board formats timestamps in SQL: the same text a Date of the stored value writes, and as
    // the ticket's events carry it.
    const [stored] = await t.orm.em.fork().execute<{ created_at: Date | string; bumped_at: null }[]>(
      'select "created_at", "bumped_at" from "kitchen_ticket" where "id" = ?',
      [mine[0].id],
    );
    expect(mine[0].createdAt).toBe(new Date(stored!.created_at).toISOString());
    expect(mine[0].bumpedAt).toBeNull();
  });

  it('sends items added to a sent order as new tickets, puts a guest attached later on the open tickets, and voids them with the order', async () => {
    const order = (await placeOrder(t, { items: [{ menuItemId: grill.id, quantity: 1 }] })).data!.placeOrder;
    await t.gql('mutation($o: ID!, $i: [OrderItemInput!]!) { addOrderItems(orderId: $o, items: $i) { id } }', { o: order.id, i: [{ menuItemId: fry.id, quantity: 2 }] }, t.tokens.SERVER);
    const guest = await customer(t, { firstName: 'Ken', allergies: ['gluten'] });
    await t.gql('mutation($o: ID!, $c: ID!) { attachCustomer(orderId: $o, customerId: $c) { id } }', { o: order.id, c: guest.id }, t.tokens.SERVER);
    const fryTicket = (await board(stationOf(fry))).tickets.find((tk: any) => tk.orderId === order.id);
    expect(fryTicket).toMatchObject({ items: [{ name: fry.name, quantity: 2 }], guestName: 'Ken', guestAllergies: ['gluten'] });
    expect((await board(stationOf(grill))).tickets.find((tk: any) => tk.orderId === order.id).guestName).toBe('Ken');

    await t.gql('mutation($o: ID!) { voidOrder(orderId: $o, reason: "walked out") { id } }', { o: order.id }, t.tokens.MANAGER);
    expect((await board(stationOf(fry))).tickets.find((tk: any) => tk.orderId === order.id)).toBeUndefined();
    expect((await board(stationOf(grill))).tickets.find((tk: any) => tk.orderId === order.id)).toBeUndefined();
  });

  it('writes nothing to the kitchen for an order that is not sent, or that fails', async () => {
    const before = await logCount();
    await placeOrder(t, { sendToKitchen: false, items: [{ menuItemId: grill.id, quantity: 1 }] });
    const scarce = await menuItem(t, { stock: 1, station: stationOf(grill) });
    expect((await placeOrder(t, { items: [{ menuItemId: scarce.id, quantity: 2 }] })).errors?.[0]?.extensions?.code).toBe('OUT_OF_STOCK');
    expect(await logCount()).toBe(before);
  });
});

describe('the board read', () => {
  it('costs the same SQL statements with 2 or 30 open tickets (no N+1), and reads them in one snapshot', { timeout: 60_000 }, async () => {
    const queries: string[] = [];
    const counting = await startTestApp({}, { onQuery: (sql) => queries.push(sql) });
    try {
      const dish = await menuItem(t, { station: `pass${key().slice(0, 6)}` });
      const station = (await t.orm.em.fork().execute<{ station: string }[]>('select station from menu_item where id = ?', [dish.id]))[0]!.station;
      const statementsForBoard = async (expected: number) => {
        queries.length = 0;
        const res = await counting.gql<{ kitchenBoard: any }>(BOARD, { s: station }, counting.tokens.KITCHEN);
        expect(res.errors).toBeUndefined();
        expect(res.data!.kitchenBoard.tickets).toHaveLength(expected);
        return queries.length;
      };
      for (let i = 0; i < 2; i++) await placeOrder(t, { items: [{ menuItemId: dish.id, quantity: 1 }] });
      const withTwo = await statementsForBoard(2);
      for (let i = 0; i < 28; i++) await placeOrder(t, { items: [{ menuItemId: dish.id, quantity: 1 + (i % 3) }] });
      const withThirty = await statementsForBoard(30);
      console.info(`SQL statements per kitchenBoard: ${withTwo} with 2 open tickets, ${withThirty} with 30`);
      expect(withTwo).toBeGreaterThan(0);
      expect(withThirty).toBe(withTwo);
      expect(withThirty).toBe(1);
    } finally {
      await counting.close();
    }
  });
});

describe('no personal data in the kitchen', () => {
  it('reaches no contact, spend or profile field from KitchenTicket or KitchenEvent', () => {
    const schema = buildSchema(readFileSync(fileURLToPath(new URL('../../schema.graphql', import.meta.url)), 'utf8'));
    const forbiddenTypes = new Set(['Customer', 'Order', 'Payment', 'CustomerStats', 'OrderLine', 'Staff', 'MenuItem', 'LoyaltyAccount']);
    const forbiddenFields = /^(phone|email|birthday|lastName|loyaltyCode|notes?Internal|marketingOptIn|tags|stats|total|subtotal|tax|tip|discount|price|unitPrice|amount|payments?|customer|orders?|totalSpent|averageSpend)$/;
    const seen = new Set<string>();
    const walk = (type: GraphQLNamedType) => {
      if (seen.has(type.name)) return;
      seen.add(type.name);
      expect(forbiddenTypes.has(type.name), `${type.name} is reachable from the kitchen`).toBe(false);
      if (!isObjectType(type)) return;
      for (const [name, field] of Object.entries(type.getFields())) {
        expect(forbiddenFields.test(name), `${type.name}.${name} is reachable from the kitchen`).toBe(false);
        walk(getNamedType(field.type));
      }
    };
    walk(schema.getType('KitchenTicket')!);
    walk(schema.getType('KitchenEvent')!);
    walk(schema.getType('KitchenBoard')!);
    expect(seen).toContain('TicketItem');
  });

  it('keeps a kitchen device from ordering or reading a guest', async () => {
    const issued = await t.gql<{ issueDeviceToken: string }>('mutation { issueDeviceToken(role: KITCHEN, name: "pass") }', {}, t.tokens.ADMIN);
    const device = issued.data!.issueDeviceToken;
    const guest = await customer(t);
    expect((await placeOrder(t, { items: [{ menuItemId: grill.id, quantity: 1 }] }, device)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql('query($id: ID!) { customer(id: $id) { firstName } }', { id: guest.id }, device)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql<{ kitchenBoard: any }>(BOARD, { s: stationOf(grill) }, device)).errors).toBeUndefined();
  });
});

describe('start, bump, recall', () => {
  const act = (op: string, id: string, token = t.tokens.KITCHEN) =>
    t.gql<Record<string, { status: string; bumpedAt: string | null }>>(`mutation($id: ID!) { ${op}(ticketId: $id) { status bumpedAt } }`, { id }, token);

  it('moves a ticket through its states, and refuses illegal moves with CONFLICT', async () => {
    const order = (await placeOrder(t, { items: [{ menuItemId: grill.id, quantity: 1 }] })).data!.placeOrder;
    const ticket = (await board(stationOf(grill))).tickets.find((tk: any) => tk.orderId === order.id);
    expect((await act('recallTicket', ticket.id)).errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect((await act('startTicket', ticket.id)).data!.startTicket.status).toBe('IN_PROGRESS');
    expect((await act('startTicket', ticket.id)).errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const bumped = (await act('bumpTicket', ticket.id)).data!.bumpTicket;
    expect(bumped.status).toBe('BUMPED');
    expect(bumped.bumpedAt).not.toBeNull();
    expect((await board(stationOf(grill))).tickets.find((tk: any) => tk.id === ticket.id)).toBeUndefined();
    expect((await act('bumpTicket', ticket.id)).errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect((await act('recallTicket', ticket.id)).data!.recallTicket).toEqual({ status: 'READY', bumpedAt: null });
    expect((await board(stationOf(grill))).tickets.find((tk: any) => tk.id === ticket.id).status).toBe('READY');
    expect((await act('startTicket', '00000000-0000-4000-8000-000000000000')).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('voids a bumped ticket with its order, so a voided order never comes back to the board', async () => {
    const order = (await placeOrder(t, { items: [{ menuItemId: grill.id, quantity: 1 }, { menuItemId: fry.id, quantity: 1 }] })).data!.placeOrder;
    const ticket = (await board(stationOf(grill))).tickets.find((tk: any) => tk.orderId === order.id);
    expect((await act('bumpTicket', ticket.id)).data!.bumpTicket.status).toBe('BUMPED');
    const before = await logCount();
    const voided = await t.gql('mutation($o: ID!) { voidOrder(orderId: $o, reason: "walked out") { status } }', { o: order.id }, t.tokens.MANAGER);
    expect(voided.data?.voidOrder.status).toBe('VOIDED');
    // One VOIDED event for the open fry ticket and one for the bumped grill ticket.
    expect(await logCount()).toBe(before + 2);
    const recalled = await act('recallTicket', ticket.id);
    expect(recalled.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(recalled.data).toBeNull();
    expect((await board(stationOf(grill))).tickets.find((tk: any) => tk.orderId === order.id)).toBeUndefined();
    expect(await logCount()).toBe(before + 2);
  });

  it('lets the kitchen act, lets servers and managers read, and keeps the host out', async () => {
    const order = (await placeOrder(t, { items: [{ menuItemId: bar.id, quantity: 1 }] })).data!.placeOrder;
    const ticket = (await board(stationOf(bar))).tickets.find((tk: any) => tk.orderId === order.id);
    for (const role of ['SERVER', 'MANAGER', 'ADMIN', 'HOST'] as const) {
      expect((await act('startTicket', ticket.id, t.tokens[role])).errors?.[0]?.extensions?.code, role).toBe('FORBIDDEN');
    }
    for (const role of ['SERVER', 'MANAGER', 'ADMIN'] as const) expect((await t.gql(BOARD, { s: null }, t.tokens[role])).errors, role).toBeUndefined();
    expect((await t.gql(BOARD, { s: null }, t.tokens.HOST)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const host = follow(t.ws(t.tokens.HOST), null);
    await until(() => host.errors.length > 0);
    expect(JSON.stringify(host.errors)).toContain('FORBIDDEN');
  });
});

describe('the kitchen event log', () => {
  /**
   * Two transactions append events; the first stays open while the second tries to commit.
   * A reader that follows `id > cursor` must see both in the end.
   */
  async function race(log: KitchenService) {
    const [a, b] = [
      (await placeOrder(t, { sendToKitchen: false, items: [{ menuItemId: grill.id, quantity: 1 }] })).data!.placeOrder.id,
      (await placeOrder(t, { sendToKitchen: false, items: [{ menuItemId: grill.id, quantity: 1 }] })).data!.placeOrder.id,
    ];
    const line = { name: grill.name, station: stationOf(grill), quantity: 1, modifiers: [], notes: null, allergens: [] };
    const read = async (after: number) =>
      (await t.orm.em.fork().execute<{ id: string; order_id: string }[]>(
        `select e.id::text as id, k.order_id from kitchen_event e join kitchen_ticket k on k.id = e.ticket_id where e.id > ? order by e.id`,
        [after],
      )).map((r) => ({ id: Number(r.id), orderId: r.order_id }));
    const [{ max }] = await t.orm.em.fork().execute<{ max: string }[]>('select coalesce(max(id), 0)::text as max from kitchen_event');
    let cursor = Number(max);

    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let firstAppended!: () => void;
    const appended = new Promise<void>((r) => (firstAppended = r));
    const first = t.orm.em.fork().transactional(async (em) => {
      await log.createTickets(em, (await em.findOne(Order, a))!, [line], null);
      firstAppended();
      await held;
    });
    await appended;
    const second = t.orm.em.fork().transactional(async (em) => {
      await log.createTickets(em, (await em.findOne(Order, b))!, [line], null);
    });
    await settle(300);
    const seen = await read(cursor);
    cursor = Math.max(cursor, ...seen.map((e) => e.id));
    release();
    await Promise.all([first, second]);
    seen.push(...(await read(cursor)));
    return { seen: seen.map((e) => e.orderId), expected: [a, b] };
  }

  it('orders cursors by commit: a reader never skips an event of a transaction that committed later', async () => {
    const { seen, expected } = await race(t.app.services.kitchen);
    expect(seen).toEqual(expected);
  });

  it('(the same test fails without commit ordering: a plain id > cursor reader skips the slow transaction)', async () => {
    const naive = new KitchenService(t.bus, t.orm, createLogger({ LOG_LEVEL: 'silent' }), false);
    const { seen, expected } = await race(naive);
    expect(seen).toEqual([expected[1]]);
  });

  /**
   * The first subscriber on a fresh instance starts its log reader. The reader's first read (where
   * the log stands) is made slow here, as a loaded database makes it; an event commits meanwhile.
   * It must reach the subscriber, by the replay or live. (It once did neither: the replay read
   * before the event, the reader's first read after it, so the reader started past it.)
   */
  it('a subscriber that starts a fresh instance reader misses no event committed while the reader starts', async () => {
    const station = stationOf(grill);
    const { cursor: since } = await board(station);
    let delayed = 0;
    const slowStart = except(t.orm, {
      em: except(t.orm.em, {
        fork: () => {
          const em = t.orm.em.fork();
          const execute = em.execute.bind(em);
          return Object.assign(em, {
            execute: async (sql: string, params?: unknown[]) => {
              if (/^select coalesce\(max\("id"\), 0\)/.test(sql)) {
                delayed++;
                await settle(400);
              }
              return execute(sql, params);
            },
          });
        },
      }),
    });
    const fresh = new KitchenService(t.bus, slowStart, createLogger({ LOG_LEVEL: 'silent' }));
    const ctx = { requestId: 'test', actor: { kind: 'device', id: 'screen', role: 'KITCHEN', name: 'screen' }, em: t.orm.em.fork(), log: createLogger({ LOG_LEVEL: 'silent' }) } as const;
    const feed = fresh.events(ctx as never, station, since)[Symbol.asyncIterator]();
    const got: string[] = [];
    const reading = (async () => {
      for (;;) {
        const r = await feed.next();
        if (r.done) return;
        got.push(r.value.ticket.orderId);
      }
    })();
    try {
      await settle(100); // the replay (if it does not wait) has read the log by now
      const during = (await placeOrder(t, { items: [{ menuItemId: grill.id, quantity: 1 }] })).data!.placeOrder.id;
      await settle(600); // the reader's first read has run, after that commit
      const after = (await placeOrder(t, { items: [{ menuItemId: grill.id, quantity: 1 }] })).data!.placeOrder.id;
      await until(() => got.includes(after)).catch(() => undefined);
      expect(delayed).toBe(1);
      expect(got).toEqual([during, after]);
    } finally {
      await feed.return?.();
      await reading;
      fresh.close();
    }
  });

  it('gives a board snapshot and its cursor, then every later event with no gap and no duplicate', async () => {
    const station = stationOf(fry);
    const snap = await board(station);
    const sub = follow(t.ws(t.tokens.KITCHEN), station, snap.cursor);
    const placed = [];
    for (let i = 0; i < 3; i++) placed.push((await placeOrder(t, { items: [{ menuItemId: fry.id, quantity: 1 }, { menuItemId: bar.id, quantity: 1 }] })).data!.placeOrder.id);
    await until(() => sub.events.filter((e) => e.type === 'CREATED').length >= 3);
    sub.stop();
    expect(sub.events.every((e) => e.ticket.station === station)).toBe(true);
    expect(sub.events.map((e) => e.ticket.orderId)).toEqual(placed);
    const cursors = sub.events.map((e) => Number(e.cursor));
    expect(cursors).toEqual([...cursors].sort((x, y) => x - y));
  });

  it('delivers to each station only its own tickets', async () => {
    const g = follow(t.ws(t.tokens.KITCHEN), stationOf(grill));
    const b = follow(t.ws(t.tokens.KITCHEN), stationOf(bar));
    await settle(300);
    await placeOrder(t, { items: [{ menuItemId: grill.id, quantity: 1 }, { menuItemId: bar.id, quantity: 2 }] });
    await placeOrder(t, { items: [{ menuItemId: bar.id, quantity: 1 }] });
    await until(() => g.events.length >= 1 && b.events.length >= 2);
    await settle(200);
    g.stop();
    b.stop();
    expect(g.events.map((e) => e.ticket.station)).toEqual([stationOf(grill)]);
    expect(b.events.map((e) => e.ticket.station)).toEqual([stationOf(bar), stationOf(bar)]);
  });

  it('resumes after a disconnect while 100 orders flow: exactly the log, in order, no duplicate', { timeout: 120_000 }, async () => {
    const station = stationOf(grill);
    const start = (await board(station)).cursor;
    const received: { cursor: string; type: string }[] = [];
    let sub = follow(t.ws(t.tokens.KITCHEN), station, start);
    const orders = (async () => {
      for (let i = 0; i < 100; i += 5) {
        const placed = await Promise.all(Array.from({ length: 5 }, () => placeOrder(t, { items: [{ menuItemId: grill.id, quantity: 1 }, { menuItemId: fry.id, quantity: 1 }] })));
        expect(placed.filter((p) => p.errors).map((p) => p.errors)).toEqual([]);
      }
    })();
    await until(() => sub.events.length >= 10, 20_000);
    sub.stop(); // the screen drops off the network mid-stream
    received.push(...sub.events);
    await settle(500);
    sub = follow(t.ws(t.tokens.KITCHEN), station, received.at(-1)!.cursor);
    await orders;
    const [{ n }] = await t.orm.em.fork().execute<{ n: number }[]>('select count(*)::int as n from kitchen_event where station = ? and id > ?', [station, Number(start)]);
    await until(() => received.length + sub.events.length >= n, 20_000);
    await settle(300);
    sub.stop();
    received.push(...sub.events);
    const log = await t.orm.em.fork().execute<{ id: string; type: string }[]>(
      'select e.id::text as id, e.type from kitchen_event e where e.station = ? and e.id > ? order by e.id',
      [station, Number(start)],
    );
    expect(received.map((e) => [e.cursor, e.type])).toEqual(log.map((e) => [e.id, e.type]));
    expect(log.length).toBeGreaterThanOrEqual(100);
  });

  it('loses nothing when a wake-up is lost: the reader polls the log', async () => {
    const station = stationOf(bar);
    const sub = follow(t.ws(t.tokens.KITCHEN), station);
    await settle(300);
    const order = (await placeOrder(t, { sendToKitchen: false, items: [{ menuItemId: bar.id, quantity: 1 }] })).data!.placeOrder;
    // Append through the log but never publish the wake-up.
    await t.orm.em.fork().transactional(async (em) => {
      await t.app.services.kitchen.createTickets(em, (await em.findOne(Order, order.id))!, [{ name: bar.name, station, quantity: 1, modifiers: [], notes: null, allergens: [] }], null);
    });
    await until(() => sub.events.length >= 1, 5_000);
    sub.stop();
    expect(sub.events[0]!.ticket.orderId).toBe(order.id);
  });

  it("reads the log at once after this instance's own commit, without waiting for its wake-up to come back", async () => {
    const station = stationOf(bar);
    // Two readers on the same database: one whose bus loses every wake-up (a fault), one whose
    // bus delivers; neither polls within the test. Reads of the log are counted.
    const counted = readCounting();
    const delivering = createEventBus();
    const losing = Object.assign(Object.create(delivering) as typeof delivering, { publish: () => undefined });
    const quiet = createLogger({ LOG_LEVEL: 'silent' });
    for (const bus of [losing, delivering]) {
      const log = new KitchenLog(bus, counted.orm, quiet, 600_000);
      const seen: string[] = [];
      const feed = log.feed(station, null)[Symbol.asyncIterator]();
      const next = feed.next().then((r) => r.done || seen.push(r.value.ticket.orderId));
      await settle(200);
      const orderId = await appendTicket(bar);
      counted.reads = 0;
      log.wake();
      await Promise.race([next, settle(3_000)]);
      await settle(300);
      await feed.return?.();
      log.close();
      expect(seen).toEqual([orderId]);
      // One read for the one commit: the wake-up that comes back through the bus is this instance's own.
      expect(counted.reads).toBe(1);
    }
    await delivering.close();
  });

  it('stops reading once the last screen here leaves; the next screen starts from where the log then stands', async () => {
    const { station, counted, bus, log } = ownLog();
    const first = log.feed(station, null)[Symbol.asyncIterator]();
    const got = first.next();
    await settle(200);
    const before = await appendTicket(bar);
    log.wake();
    const event = (await got).value as { cursor: string; ticket: { orderId: string } };
    expect(event.ticket.orderId).toBe(before);
    await first.return?.();

    // No screen here: neither this instance's commits nor another's wake-ups cost a read.
    counted.reads = 0;
    const unseen = await appendTicket(bar);
    log.wake();
    await bus.publish(KITCHEN_WAKE, { from: 'another instance' });
    await settle(300);
    expect(counted.reads).toBe(0);

    // A live screen gets what is committed after it came; one with a cursor replays the gap.
    const live = log.feed(station, null)[Symbol.asyncIterator]();
    const resumed = log.feed(station, event.cursor)[Symbol.asyncIterator]();
    const liveNext = live.next();
    expect(((await resumed.next()).value as typeof event).ticket.orderId).toBe(unseen);
    await settle(200);
    const after = await appendTicket(bar);
    log.wake();
    expect(((await liveNext).value as typeof event).ticket.orderId).toBe(after);
    expect(((await resumed.next()).value as typeof event).ticket.orderId).toBe(after);
    await live.return?.();
    await resumed.return?.();
    log.close();
    await bus.close();
  });

  it('drops a read that was running when the last screen left, so the next screen sees nothing from before it came', async () => {
    const { station, counted, bus, log } = ownLog();
    const first = log.feed(station, null)[Symbol.asyncIterator]();
    void first.next();
    await settle(200);
    // A read of a commit is held back in flight while the only screen leaves and another comes.
    let release!: () => void;
    counted.gate = new Promise((resolve) => (release = resolve));
    await appendTicket(bar);
    counted.reads = 0;
    log.wake();
    await until(() => counted.reads === 1);
    await first.return?.();
    counted.gate = null;
    const second = log.feed(station, null)[Symbol.asyncIterator]();
    const seen: string[] = [];
    const next = second.next().then((r) => r.done || seen.push(r.value.ticket.orderId));
    release();
    await settle(300);
    expect(seen).toEqual([]);
    const after = await appendTicket(bar);
    log.wake();
    await Promise.race([next, settle(3_000)]);
    expect(seen).toEqual([after]);
    await second.return?.();
    log.close();
    await bus.close();
  });

  it('refuses a malformed cursor with BAD_USER_INPUT', async () => {
    const sub = follow(t.ws(t.tokens.KITCHEN), null, 'not-a-cursor');
    await until(() => sub.errors.length > 0);
    expect(JSON.stringify(sub.errors)).toContain('BAD_USER_INPUT');
  });
});
