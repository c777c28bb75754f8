/**
 * The real side of the model-based test: one run's restaurant (its own menu items, stations and
 * guests) on the real server, spoken to over HTTP GraphQL and a graphql-ws kitchen feed, and
 * the check of every invariant against the model after each step.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Client } from 'graphql-ws';
import type { TestApp } from '../../test/support/app.js';
import { classify } from '../../src/modules/customers/lifecycle.js';
import { LIMITS } from '../../src/common/limits.js';
import {
  expectedBoard,
  dishesOf,
  factsOf,
  OPEN_TICKETS,
  pointsOf,
  statsOf,
  totalsOf,
  type Line,
  type Model,
  type Order,
} from './model.js';

export const TICKET_FIELDS =
  'id orderId orderNumber station table status items { name quantity modifiers notes allergens } guestName guestAllergies createdAt';
export const ORDER_FIELDS =
  'id number status table subtotal discount tax tip total changeGiven paidAt customer { id } lines { name quantity unitPrice modifiers notes menuItem { id } } payments { method amount }';
const PROFILE_FIELDS = `id firstName allergies lifecycleStage segments
  stats { visitCount totalSpent averageSpend firstVisitAt lastVisitAt averageDaysBetweenVisits }
  usualDishes(limit: 5) { count menuItem { id } }
  loyalty { points lifetimePoints }
  interactions(first: 100) { kind }`;

export interface Outcome<T = any> {
  data: T | null;
  code: string | null;
  message: string | null;
}

/** What the runs exercised, by outcome (e.g. "placeOrder OUT_OF_STOCK"): printed, and checked for coverage. */
export const tally = new Map<string, number>();

export interface RunParams {
  prices: number[];
  stocks: (number | null)[];
  guests: number;
}

/** Everything a kitchen screen following kitchenEvents(since:) has seen, folded into boards. */
class KitchenFeed {
  readonly tickets = new Map<string, any>();
  readonly problems: string[] = [];
  private last = 0;
  private readonly stop: () => void;

  constructor(client: Client, stations: readonly string[], since: string) {
    this.last = Number(since);
    this.stop = client.subscribe<{ kitchenEvents: { cursor: string; type: string; ticket: any } }>(
      {
        query: `subscription($since: String) { kitchenEvents(since: $since) { cursor type ticket { ${TICKET_FIELDS} } } }`,
        variables: { since },
      },
      {
        next: (r) => {
          if (!r.data) return void this.problems.push(`feed error: ${JSON.stringify(r.errors)}`);
          const e = r.data.kitchenEvents;
          const cursor = Number(e.cursor);
          if (!(cursor > this.last))
            this.problems.push(`feed cursor ${e.cursor} after ${this.last}: out of order or duplicated`);
          this.last = Math.max(this.last, cursor);
          if (!stations.includes(e.ticket.station)) return;
          if (OPEN_TICKETS.includes(e.ticket.status)) this.tickets.set(e.ticket.id, e.ticket);
          else this.tickets.delete(e.ticket.id);
        },
        error: (err) => this.problems.push(`feed ended: ${JSON.stringify(err)}`),
        complete: () => this.problems.push('feed completed'),
      },
    );
  }

  board(station: string) {
    return [...this.tickets.values()]
      .filter((t) => t.station === station)
      .map(({ createdAt: _c, ...t }) => t)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  close(): void {
    this.stop();
  }
}

const STATION_NAMES = ['grill', 'bar'];
const DISHES = ['Burger', 'Fries', 'Lager', 'Salad', 'Soup'];
const ALLERGENS = [['milk'], [], ['gluten', 'sesame'], ['celery'], []];

export class Restaurant {
  private constructor(
    readonly t: TestApp,
    readonly tag: string,
    readonly stations: string[],
    private readonly feed: KitchenFeed,
    /** Orders in the database before this run (for "a refused order wrote nothing"). */
    private readonly ordersBefore: number,
  ) {}

  /** A fresh run: its own stations, menu items and guests, and a kitchen feed from the current cursor. */
  static async open(t: TestApp, kitchenSocket: Client, p: RunParams): Promise<{ model: Model; real: Restaurant }> {
    const tag = randomUUID().slice(0, 8);
    const stations = STATION_NAMES.map((s) => `${s}-${tag}`);
    const model: Model = {
      items: [],
      guests: [],
      orders: [],
      tickets: [],
      events: 0,
      lastPlace: null,
      lastCheckout: null,
      taxRateBps: t.config.TAX_RATE_BPS,
      pointsPerUnit: t.config.LOYALTY_POINTS_PER_UNIT,
    };
    for (const [i, price] of p.prices.entries()) {
      const input = {
        sku: `M-${tag}-${i}`,
        name: `${DISHES[i]} ${tag}`,
        category: 'Model',
        price,
        station: stations[i % stations.length]!,
        allergens: ALLERGENS[i],
        stock: p.stocks[i] ?? null,
      };
      const res = await t.gql(
        'mutation($i: MenuItemInput!) { createMenuItem(input: $i) { id name price station allergens stock } }',
        { i: input },
        t.tokens.MANAGER,
      );
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      model.items.push(res.data!.createMenuItem);
    }
    for (let g = 0; g < p.guests; g++) {
      const input = { firstName: `Guest${g}-${tag}`, allergies: g === 0 ? ['Peanuts'] : [] };
      const res = await t.gql(
        'mutation($i: CustomerInput!) { createCustomer(input: $i) { id firstName loyaltyCode allergies } }',
        { i: input },
        t.tokens.MANAGER,
      );
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      model.guests.push({ ...res.data!.createCustomer, checkIns: 0 });
    }
    const board = await t.gql('{ kitchenBoard { cursor } }', {}, t.tokens.KITCHEN);
    if (board.errors) throw new Error(JSON.stringify(board.errors));
    const feed = new KitchenFeed(kitchenSocket, stations, board.data!.kitchenBoard.cursor);
    const [row] = await t.orm.em.fork().execute<{ n: number }[]>('select count(*)::int as n from "orders"');
    return { model, real: new Restaurant(t, tag, stations, feed, row!.n) };
  }

  close(): void {
    this.feed.close();
  }

  /** One GraphQL request; a refusal comes back as its contract code. */
  async call<T = any>(query: string, variables: Record<string, unknown>, token: string): Promise<Outcome<T>> {
    const res = await this.t.gql<T>(query, variables, token);
    if (query.startsWith('mutation')) {
      const outcome = `${/\{\s*(\w+)/.exec(query)?.[1]} ${res.errors?.[0]?.extensions?.code ?? 'ok'}`;
      tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
    }
    if (res.errors?.length) {
      expect(res.errors, `one error per refused request: ${JSON.stringify(res.errors).slice(0, 600)}`).toHaveLength(1);
      return { data: null, code: String(res.errors[0]!.extensions?.code ?? 'NONE'), message: res.errors[0]!.message };
    }
    return { data: res.data ?? null, code: null, message: null };
  }

  /** Learns the ids of the tickets an order (or added items) just created, from the board. */
  async bindTickets(m: Model, order: number, created: { station: string; lines: Line[] }[]): Promise<void> {
    const orderId = m.orders[order]!.id;
    const known = new Set(m.tickets.map((t) => t.id));
    for (const c of created) {
      const res = await this.call(
        'query($s: String) { kitchenBoard(station: $s) { tickets { id orderId } } }',
        { s: c.station },
        this.t.tokens.KITCHEN,
      );
      expect(res.code).toBeNull();
      const fresh = res.data.kitchenBoard.tickets.filter((t: any) => t.orderId === orderId && !known.has(t.id));
      expect(fresh, `one new ${c.station} ticket for order ${orderId}`).toHaveLength(1);
      m.tickets.push({ id: fresh[0].id, order, station: c.station, status: 'NEW', lines: c.lines });
      m.events++;
    }
  }

  // ---------------------------------------------------------------- the invariants, after every step

  async verify(m: Model): Promise<void> {
    const parts = ['menu { id stock available }'];
    m.orders.forEach((o, k) => parts.push(`o${k}: order(id: "${o.id}") { ${ORDER_FIELDS} }`));
    m.guests.forEach((g, k) => {
      parts.push(`c${k}: customer(id: "${g.id}") { ${PROFILE_FIELDS} }`);
      // The register's hot path, served from the Redis profile cache when warm.
      parts.push(`l${k}: customerLookup(by: { loyaltyCode: "${g.loyaltyCode}" }) { ${PROFILE_FIELDS} }`);
    });
    this.stations.forEach((s, k) =>
      parts.push(`b${k}: kitchenBoard(station: "${s}") { tickets { ${TICKET_FIELDS} } allDay { name quantity } }`),
    );
    // Read as a manager: profiles' spend and history are not a server's to read (see the access
    // matrix). In requests of at most LIMITS.aliases aliased fields each: a long run makes more
    // orders than one request may name, and the server refuses the rest (as it should).
    const d: Record<string, any> = {};
    for (let from = 0; from < parts.length; from += LIMITS.aliases) {
      const res = await this.call(`{ ${parts.slice(from, from + LIMITS.aliases).join('\n')} }`, {}, this.t.tokens.MANAGER);
      expect(res.message).toBeNull();
      Object.assign(d, res.data);
    }

    // Stock: never negative, and what the model says.
    for (const item of m.items) {
      const row = d.menu.find((r: any) => r.id === item.id);
      expect(row, `stock of ${item.name}`).toEqual({ id: item.id, stock: item.stock, available: item.stock !== 0 });
      if (row.stock !== null) expect(row.stock).toBeGreaterThanOrEqual(0);
    }

    // Orders: the lines add up to the totals, and the totals are the model's.
    m.orders.forEach((o, k) => {
      const got = d[`o${k}`];
      const subtotal = got.lines.reduce((s: number, l: any) => s + l.quantity * l.unitPrice, 0);
      expect(got.subtotal, `order ${k} subtotal from its lines`).toBe(subtotal);
      expect(got.total, `order ${k} total`).toBe(got.subtotal - got.discount + got.tax + got.tip);
      expect(got.tax, `order ${k} tax, half up`).toBe(
        Math.floor(((got.subtotal - got.discount) * m.taxRateBps + 5_000) / 10_000),
      );
      const paid = got.payments.reduce((s: number, p: any) => s + p.amount, 0);
      if (got.paidAt) expect(paid - got.changeGiven, `order ${k} payments less change`).toBe(got.total);
      expect({ ...got, payments: sortPayments(got.payments) }, `order ${k}`).toEqual(expectedOrder(m, o));
    });

    // Guests: the profile equals a recomputation from the model's history, in PostgreSQL and in the cache.
    m.guests.forEach((g, k) => {
      const expected = expectedProfile(m, k);
      for (const via of ['c', 'l']) {
        const got = d[`${via}${k}`];
        const where = `guest ${k} via ${via === 'c' ? 'customer(id)' : 'customerLookup (cache)'}`;
        const { usualDishes, interactions, ...rest } = got;
        expect(rest, where).toEqual(expected.profile);
        expect(interactions.filter((i: any) => i.kind === 'VISIT').length, `${where}: check-ins`).toBe(g.checkIns);
        checkUsualDishes(usualDishes, dishesOf(m, k), 5, where);
      }
    });

    // The kitchen board: exactly the model's open tickets and states, oldest first; all-day counts.
    const boards = this.stations.map((s, k) => {
      const got = d[`b${k}`];
      const times = got.tickets.map((t: any) => Date.parse(t.createdAt));
      expect(times, `${s} board oldest first`).toEqual([...times].sort((a, b) => a - b));
      const tickets = got.tickets
        .map(({ createdAt: _c, ...t }: any) => t)
        .sort((a: any, b: any) => a.id.localeCompare(b.id));
      const expected = expectedBoard(m, s);
      expect({ tickets, allDay: got.allDay }, `${s} board`).toEqual(expected);
      return expected.tickets;
    });

    // Nothing refused was written: rows and kitchen events are exactly the model's.
    const [counts] = await this.t.orm.em
      .fork()
      .execute<{ orders: number; tickets: number; events: number; payments: number }[]>(
        `select (select count(*)::int from "orders") as orders,
              (select count(*)::int from "kitchen_ticket" where "station" = any(?::text[])) as tickets,
              (select count(*)::int from "kitchen_event" where "station" = any(?::text[])) as events,
              (select count(*)::int from "payment" where "order_id" = any(?::uuid[])) as payments`,
        [`{${this.stations.join(',')}}`, `{${this.stations.join(',')}}`, `{${m.orders.map((o) => o.id).join(',')}}`],
      );
    expect(counts, 'rows written').toEqual({
      orders: this.ordersBefore + m.orders.length,
      tickets: m.tickets.length,
      events: m.events,
      payments: m.orders.reduce((s, o) => s + o.payments.length, 0),
    });

    // A kitchen screen following the live feed ends with the same board.
    await this.feedMatches(boards);
  }

  private async feedMatches(boards: unknown[]): Promise<void> {
    const deadline = Date.now() + 3_000;
    const current = () => this.stations.map((s) => this.feed.board(s));
    while (JSON.stringify(current()) !== JSON.stringify(boards) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    expect(this.feed.problems).toEqual([]);
    expect(current(), 'kitchenEvents feed folded into boards').toEqual(boards);
  }
}

function sortPayments<T extends { method: string; amount: number }>(ps: T[]): T[] {
  return [...ps].sort((a, b) => a.method.localeCompare(b.method) || a.amount - b.amount);
}

export function expectedOrder(m: Model, o: Order) {
  const totals = totalsOf(m, o.lines, o.tip);
  return {
    id: o.id,
    number: o.number,
    status: o.status,
    table: o.table,
    ...totals,
    changeGiven: o.changeGiven,
    paidAt: o.paidAt,
    customer: o.guest === null ? null : { id: m.guests[o.guest]!.id },
    lines: o.lines.map((l) => ({
      name: m.items[l.item]!.name,
      quantity: l.quantity,
      unitPrice: m.items[l.item]!.price,
      modifiers: l.modifiers,
      notes: l.notes,
      menuItem: { id: m.items[l.item]!.id },
    })),
    payments: sortPayments(o.payments),
  };
}

export function expectedProfile(m: Model, k: number) {
  const g = m.guests[k]!;
  const facts = factsOf(m, k);
  const c = classify(
    {
      ...facts,
      firstVisitAt: facts.firstVisitAt ? new Date(facts.firstVisitAt) : null,
      lastVisitAt: facts.lastVisitAt ? new Date(facts.lastVisitAt) : null,
    },
    new Date(),
  );
  const points = pointsOf(m, k);
  return {
    profile: {
      id: g.id,
      firstName: g.firstName,
      allergies: g.allergies,
      lifecycleStage: c.stage,
      segments: c.segments,
      stats: statsOf(facts),
      loyalty: { points, lifetimePoints: points },
    },
  };
}

/**
 * Usual dishes: the right counts, most ordered first, ties broken by the most recently ordered
 * (dishes last had on the same order may come in either order), and none left out that ranks higher.
 */
export function checkUsualDishes(
  got: { count: number; menuItem: { id: string } }[],
  dishes: ReturnType<typeof dishesOf>,
  limit: number,
  where: string,
): void {
  const rank = (a: { count: number; lastAt: string }, b: { count: number; lastAt: string }) =>
    b.count - a.count || b.lastAt.localeCompare(a.lastAt);
  const byId = new Map(dishes.map((x) => [x.menuItemId, x]));
  expect(got.length, `${where}: usual dishes`).toBe(Math.min(limit, dishes.length));
  const ranked = got.map((g) => {
    const x = byId.get(g.menuItem.id);
    expect(x, `${where}: ${g.menuItem.id} is a dish the guest had`).toBeDefined();
    expect(g.count, `${where}: count of ${g.menuItem.id}`).toBe(x!.count);
    return x!;
  });
  for (let i = 1; i < ranked.length; i++)
    expect(rank(ranked[i - 1]!, ranked[i]!), `${where}: usual dishes order at ${i}`).toBeLessThanOrEqual(0);
  const shown = new Set(got.map((g) => g.menuItem.id));
  const last = ranked.at(-1);
  for (const x of dishes)
    if (!shown.has(x.menuItemId) && last)
      expect(rank(last, x), `${where}: ${x.menuItemId} left out`).toBeLessThanOrEqual(0);
}
