/**
 * The commands of the model-based test. Each one predicts from the model alone whether the
 * server must accept or refuse (and with which contract code), checks the response, updates the
 * model, then checks every invariant against the server.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { expect } from 'vitest';
import {
  demand,
  dishesOf,
  shortages,
  TICKET_ACTIONS,
  ticketsFor,
  totalsOf,
  visitsOf,
  type CheckoutRequest,
  type Line,
  type Model,
  type Payment,
  type PlaceRequest,
  type Sent,
  type TicketAction,
} from './model.js';
import {
  checkUsualDishes,
  expectedOrder,
  ORDER_FIELDS,
  TICKET_FIELDS,
  type Outcome,
  type Restaurant,
} from './restaurant.js';

type Command = fc.AsyncCommand<Model, Restaurant>;

function refused(res: Outcome, code: string, what: string): void {
  expect({ code: res.code, data: res.data }, `${what} must be refused with ${code} (${res.message})`).toEqual({
    code,
    data: null,
  });
}

function accepted<T>(res: Outcome<T>, what: string): T {
  expect(res.code, `${what} must succeed (${res.message})`).toBeNull();
  return res.data!;
}

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length]!;

/**
 * Which order or ticket a command acts on: mostly one the model says it may act on (so runs
 * get somewhere), sometimes any (so refusals are exercised too).
 */
export interface Target {
  n: number;
  likely: boolean;
}

function choose<T>(list: readonly T[], target: Target, ok: (x: T) => boolean): number {
  const candidates = list.map((x, i) => [x, i] as const).filter(([x]) => !target.likely || ok(x));
  return candidates.length ? pick(candidates, target.n)[1] : target.n % list.length;
}

const describeLines = (lines: readonly Line[]) =>
  lines.map((l) => `${l.quantity}x#${l.item}${l.modifiers.length ? '+mod' : ''}`).join(',');

function lineInput(m: Model, l: Line) {
  return { menuItemId: m.items[l.item]!.id, quantity: l.quantity, modifiers: l.modifiers, notes: l.notes };
}

/** Takes the lines' stock (the caller has checked that it covers them). */
function take(m: Model, lines: readonly Line[]): void {
  for (const [i, n] of demand(lines)) if (m.items[i]!.stock !== null) m.items[i]!.stock! -= n;
}

/** Creates the tickets for new lines, learning their ids from the board. */
async function send(m: Model, r: Restaurant, order: number, lines: readonly Line[]): Promise<void> {
  await r.bindTickets(m, order, ticketsFor(m, lines));
}

// ---------------------------------------------------------------- orders

const PLACE = `mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { ${ORDER_FIELDS} } }`;

async function place(m: Model, r: Restaurant, sent: Sent<PlaceRequest>): Promise<void> {
  const { lines, guest, table } = sent.request;
  const res = await r.call(
    PLACE,
    {
      i: {
        idempotencyKey: sent.key,
        table,
        customerId: guest === null ? null : m.guests[guest]!.id,
        items: lines.map((l) => lineInput(m, l)),
      },
    },
    r.t.tokens.SERVER,
  );
  if (sent.order !== null) {
    // A retry of an order that was taken: the same order, as it is now, and nothing new.
    const order = accepted(res, 'a retried placeOrder').placeOrder;
    expect(order, 'the retry returns the first order').toEqual(expectedOrderShape(m, sent.order));
    return;
  }
  if (shortages(m, lines).length) return refused(res, 'OUT_OF_STOCK', 'an order the stock cannot cover');
  const order = accepted(res, 'placeOrder').placeOrder;
  const k = m.orders.length;
  m.orders.push({
    id: order.id,
    number: order.number,
    table,
    guest,
    status: 'OPEN',
    lines: [...lines],
    tip: 0,
    changeGiven: 0,
    payments: [],
    paidAt: null,
  });
  sent.order = k;
  take(m, lines);
  expect(order).toEqual(expectedOrderShape(m, k));
  await send(m, r, k, lines);
}

function expectedOrderShape(m: Model, k: number) {
  return expect.objectContaining({ ...expectedOrder(m, m.orders[k]!), payments: expect.any(Array) });
}

class PlaceOrder implements Command {
  constructor(readonly req: PlaceRequest) {}
  check = () => true;
  async run(m: Model, r: Restaurant): Promise<void> {
    m.lastPlace = { key: randomUUID(), request: this.req, order: null };
    await place(m, r, m.lastPlace);
    await r.verify(m);
  }
  toString = () =>
    `placeOrder(${describeLines(this.req.lines)}${this.req.guest === null ? '' : ` guest#${this.req.guest}`})`;
}

/** A client that lost the response sends the same request again with the same key. */
class RetryPlaceOrder implements Command {
  check = (m: Readonly<Model>) => m.lastPlace !== null;
  async run(m: Model, r: Restaurant): Promise<void> {
    await place(m, r, m.lastPlace!);
    await r.verify(m);
  }
  toString = () => 'retry last placeOrder';
}

class AddItems implements Command {
  constructor(
    readonly order: Target,
    readonly lines: Line[],
  ) {}
  check = (m: Readonly<Model>) => m.orders.length > 0;
  async run(m: Model, r: Restaurant): Promise<void> {
    const k = choose(m.orders, this.order, (o) => o.status === 'OPEN');
    const o = m.orders[k]!;
    const res = await r.call(
      `mutation($id: ID!, $items: [OrderItemInput!]!) { addOrderItems(orderId: $id, items: $items) { ${ORDER_FIELDS} } }`,
      { id: o.id, items: this.lines.map((l) => lineInput(m, l)) },
      r.t.tokens.SERVER,
    );
    if (o.status !== 'OPEN') refused(res, 'CONFLICT', `adding items to a ${o.status} order`);
    else if (shortages(m, this.lines).length) refused(res, 'OUT_OF_STOCK', 'items the stock cannot cover');
    else {
      const order = accepted(res, 'addOrderItems').addOrderItems;
      o.lines.push(...this.lines);
      take(m, this.lines);
      expect(order).toEqual(expectedOrderShape(m, k));
      await send(m, r, k, this.lines);
    }
    await r.verify(m);
  }
  toString = () => `addOrderItems(order#${this.order.n}${this.order.likely ? '' : '?'}, ${describeLines(this.lines)})`;
}

export type PayMode = 'exact' | 'split' | 'cash-over' | 'short' | 'card-over';

const CHECKOUT = `mutation($id: ID!, $i: CheckoutInput!) { checkout(orderId: $id, input: $i) { ${ORDER_FIELDS} } }`;

async function checkout(m: Model, r: Restaurant, sent: Sent<CheckoutRequest>): Promise<void> {
  const { order: k, tip, payments } = sent.request;
  const o = m.orders[k]!;
  const res = await r.call(CHECKOUT, { id: o.id, i: { idempotencyKey: sent.key, tip, payments } }, r.t.tokens.SERVER);
  if (sent.order !== null) {
    const order = accepted(res, 'a retried checkout').checkout;
    expect(order, 'the retry returns the order as it is').toEqual(expectedOrderShape(m, k));
    return;
  }
  if (o.status !== 'OPEN') return refused(res, 'CONFLICT', `checking out a ${o.status} order`);
  const { total } = totalsOf(m, o.lines, tip);
  const tendered = payments.reduce((s, p) => s + p.amount, 0);
  const cash = payments.filter((p) => p.method === 'CASH').reduce((s, p) => s + p.amount, 0);
  if (tendered < total) return refused(res, 'PAYMENT_REQUIRED', 'payments short of the total');
  if (tendered - total > cash) return refused(res, 'BAD_USER_INPUT', 'a card paying more than the total');
  const order = accepted(res, 'checkout').checkout;
  expect(order.paidAt, 'a paid order has its time').toEqual(expect.any(String));
  // The model keeps the order of visits; the instant is the server's.
  const before = visitsOf(m, o.guest ?? -1).map((v) => v.paidAt!);
  for (const t of before) expect(order.paidAt >= t, 'visits in the order they were paid').toBe(true);
  Object.assign(o, { status: 'PAID', tip, payments, changeGiven: tendered - total, paidAt: order.paidAt });
  sent.order = k;
  expect(order).toEqual(expectedOrderShape(m, k));
}

class Checkout implements Command {
  constructor(
    readonly order: Target,
    readonly tip: number,
    readonly mode: PayMode,
    readonly extra: number,
  ) {}
  check = (m: Readonly<Model>) => m.orders.length > 0;
  async run(m: Model, r: Restaurant): Promise<void> {
    const k = choose(m.orders, this.order, (o) => o.status === 'OPEN');
    const o = m.orders[k]!;
    // What the register would tender for the total the model expects (a paid or voided order keeps its own).
    const total =
      o.status === 'OPEN' ? totalsOf(m, o.lines, this.tip).total : totalsOf(m, o.lines, o.tip).total + this.tip;
    const payments: Payment[] = {
      exact: [{ method: 'CARD' as const, amount: total }],
      split: [
        { method: 'CARD' as const, amount: Math.max(1, total - 500) },
        { method: 'CASH' as const, amount: Math.min(500, total - 1) + this.extra },
      ],
      'cash-over': [{ method: 'CASH' as const, amount: total + this.extra }],
      short: [{ method: 'CARD' as const, amount: Math.max(1, total - 1 - this.extra) }],
      'card-over': [{ method: 'CARD' as const, amount: total + 1 + this.extra }],
    }[this.mode];
    m.lastCheckout = { key: randomUUID(), request: { order: k, tip: this.tip, payments }, order: null };
    await checkout(m, r, m.lastCheckout);
    await r.verify(m);
  }
  toString = () =>
    `checkout(order#${this.order.n}${this.order.likely ? '' : '?'}, tip ${this.tip}, ${this.mode}+${this.extra})`;
}

class RetryCheckout implements Command {
  check = (m: Readonly<Model>) => m.lastCheckout !== null;
  async run(m: Model, r: Restaurant): Promise<void> {
    await checkout(m, r, m.lastCheckout!);
    await r.verify(m);
  }
  toString = () => 'retry last checkout';
}

class VoidOrder implements Command {
  constructor(readonly order: Target) {}
  check = (m: Readonly<Model>) => m.orders.length > 0;
  async run(m: Model, r: Restaurant): Promise<void> {
    const k = choose(m.orders, this.order, (o) => o.status !== 'VOIDED');
    const o = m.orders[k]!;
    const res = await r.call(
      `mutation($id: ID!) { voidOrder(orderId: $id, reason: "model test") { ${ORDER_FIELDS} } }`,
      { id: o.id },
      r.t.tokens.MANAGER,
    );
    if (o.status === 'VOIDED') refused(res, 'CONFLICT', 'voiding a voided order');
    else {
      const order = accepted(res, 'voidOrder').voidOrder;
      // An open order's stock goes back; a paid order's food was made.
      if (o.status === 'OPEN')
        for (const [i, n] of demand(o.lines)) if (m.items[i]!.stock !== null) m.items[i]!.stock! += n;
      o.status = 'VOIDED';
      // Its tickets are voided, bumped ones too: a voided order's food is not to be recalled.
      for (const t of m.tickets) {
        if (t.order === k && t.status !== 'VOIDED') {
          t.status = 'VOIDED';
          m.events++;
        }
      }
      expect(order).toEqual(expectedOrderShape(m, k));
    }
    await r.verify(m);
  }
  toString = () => `voidOrder(order#${this.order.n}${this.order.likely ? '' : '?'})`;
}

// ---------------------------------------------------------------- menu

class Restock implements Command {
  constructor(
    readonly item: number,
    readonly stock: number | null,
  ) {}
  check = () => true;
  async run(m: Model, r: Restaurant): Promise<void> {
    const item = pick(m.items, this.item);
    const res = await r.call(
      'mutation($id: ID!, $s: Int) { setStock(menuItemId: $id, stock: $s) { id stock available } }',
      { id: item.id, s: this.stock },
      r.t.tokens.MANAGER,
    );
    if (this.stock !== null && this.stock < 0) refused(res, 'BAD_USER_INPUT', 'a negative stock');
    else {
      expect(accepted(res, 'setStock').setStock).toEqual({
        id: item.id,
        stock: this.stock,
        available: this.stock !== 0,
      });
      item.stock = this.stock;
    }
    await r.verify(m);
  }
  toString = () => `setStock(item#${this.item}, ${this.stock})`;
}

// ---------------------------------------------------------------- kitchen

const ACTION_MUTATIONS: Record<TicketAction, string> = {
  start: 'startTicket',
  bump: 'bumpTicket',
  recall: 'recallTicket',
};

class TicketCommand implements Command {
  constructor(
    readonly action: TicketAction,
    readonly ticket: Target,
  ) {}
  check = (m: Readonly<Model>) => m.tickets.length > 0;
  async run(m: Model, r: Restaurant): Promise<void> {
    const t =
      m.tickets[
        choose(m.tickets, this.ticket, (x) =>
          (TICKET_ACTIONS[this.action].from as readonly string[]).includes(x.status),
        )
      ]!;
    const name = ACTION_MUTATIONS[this.action];
    const res = await r.call(
      `mutation($id: ID!) { ${name}(ticketId: $id) { ${TICKET_FIELDS} } }`,
      { id: t.id },
      r.t.tokens.KITCHEN,
    );
    const rule = TICKET_ACTIONS[this.action];
    if (!(rule.from as readonly string[]).includes(t.status))
      refused(res, 'CONFLICT', `${this.action} of a ${t.status} ticket`);
    else {
      const got = accepted(res, name)[name];
      t.status = rule.to;
      m.events++;
      expect(got).toMatchObject({ id: t.id, status: t.status });
    }
    await r.verify(m);
  }
  toString = () => `${this.action}(ticket#${this.ticket.n}${this.ticket.likely ? '' : '?'})`;
}

// ---------------------------------------------------------------- host stand

class CheckIn implements Command {
  constructor(
    readonly guest: number,
    readonly known: boolean,
    readonly partySize: number | null,
  ) {}
  check = () => true;
  async run(m: Model, r: Restaurant): Promise<void> {
    const k = this.guest % m.guests.length;
    const code = this.known
      ? m.guests[k]!.loyaltyCode
      : `ZZZZ-${r.tag
          .slice(0, 4)
          .toUpperCase()
          .replace(/[ILOU]/g, 'Z')}`;
    const res = await r.call(
      `mutation($code: String!, $n: Int) { checkInGuest(by: { loyaltyCode: $code }, partySize: $n) {
        customer { id firstName stats { visitCount lastVisitAt } } partySize isRegular usualDishes { count menuItem { id } } } }`,
      { code, n: this.partySize },
      r.t.tokens.HOST,
    );
    if (!this.known) refused(res, 'NOT_FOUND', 'checking in an unknown loyalty code');
    else {
      const g = accepted(res, 'checkInGuest').checkInGuest;
      const visits = visitsOf(m, k);
      const last =
        visits
          .map((v) => v.paidAt!)
          .sort()
          .at(-1) ?? null;
      expect(g).toMatchObject({
        customer: {
          id: m.guests[k]!.id,
          firstName: m.guests[k]!.firstName,
          stats: { visitCount: visits.length, lastVisitAt: last },
        },
        partySize: this.partySize,
        isRegular: visits.length >= 5,
      });
      checkUsualDishes(g.usualDishes, dishesOf(m, k), 3, `greeting of guest ${k}`);
      m.guests[k]!.checkIns++;
    }
    await r.verify(m);
  }
  toString = () =>
    `checkInGuest(${this.known ? `guest#${this.guest}` : 'unknown'}${this.partySize ? `, party ${this.partySize}` : ''})`;
}

// ---------------------------------------------------------------- the arbitraries

export function commandArbitraries(items: number, guests: number): fc.Arbitrary<Command>[] {
  const line = fc.record({
    item: fc.nat({ max: items - 1 }),
    quantity: fc.constantFrom(1, 1, 1, 2, 3),
    modifiers: fc.constantFrom<string[]>([], [], ['no onion']),
    notes: fc.constantFrom<string | null>(null, null, 'allergy: check'),
  });
  const lines = fc.array(line, { minLength: 1, maxLength: 3 });
  const index = fc.nat({ max: 50 });
  const target = fc.record({ n: index, likely: fc.constantFrom(true, true, true, false) });
  const placeOrder = fc
    .record({
      lines,
      guest: fc.option(fc.nat({ max: guests - 1 }), { freq: 3 }),
      table: fc.option(fc.constantFrom('1', '7', 'bar 2')),
    })
    .map((req) => new PlaceOrder(req));
  const checkout = fc
    .record({
      order: target,
      tip: fc.constantFrom(0, 0, 150, 333),
      mode: fc.constantFrom<PayMode>('exact', 'exact', 'exact', 'split', 'cash-over', 'short', 'card-over'),
      extra: fc.constantFrom(0, 1, 250),
    })
    .map((c) => new Checkout(c.order, c.tip, c.mode, c.extra));
  const ticket = fc
    .record({ action: fc.constantFrom<TicketAction>('start', 'bump', 'bump', 'recall', 'recall'), ticket: target })
    .map((c) => new TicketCommand(c.action, c.ticket));
  // fc.commands picks among these uniformly: orders, checkouts and kitchen actions twice, so runs build a history.
  return [
    placeOrder,
    placeOrder,
    fc.record({ order: target, lines }).map((c) => new AddItems(c.order, c.lines)),
    checkout,
    checkout,
    target.map((k) => new VoidOrder(k)),
    fc
      .record({ item: index, stock: fc.oneof(fc.integer({ min: -1, max: 6 }), fc.constant(null)) })
      .map((c) => new Restock(c.item, c.stock)),
    ticket,
    ticket,
    fc
      .record({
        guest: index,
        known: fc.constantFrom(true, true, true, false),
        partySize: fc.option(fc.integer({ min: 1, max: 6 })),
      })
      .map((c) => new CheckIn(c.guest, c.known, c.partySize)),
    fc.constant(null).map(() => new RetryPlaceOrder()),
    fc.constant(null).map(() => new RetryCheckout()),
  ];
}
