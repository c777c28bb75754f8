/**
 * The model of the restaurant the model-based test drives: plain data, and the pure functions
 * that say what the server must show for it. Everything here is written from the rules in
 * DESIGN.md, the contract and the README, not from the server's code paths: the server keeps
 * its profile projection incrementally, the model recomputes it from the whole history.
 */

export type OrderStatus = 'OPEN' | 'PAID' | 'VOIDED';
export type TicketStatus = 'NEW' | 'IN_PROGRESS' | 'READY' | 'BUMPED' | 'VOIDED';
export type PaymentMethod = 'CASH' | 'CARD';

export interface Item {
  id: string;
  name: string;
  price: number;
  station: string;
  allergens: string[];
  /** null: not tracked. */
  stock: number | null;
}

export interface Guest {
  id: string;
  firstName: string;
  loyaltyCode: string;
  allergies: string[];
  checkIns: number;
}

export interface Line {
  item: number;
  quantity: number;
  modifiers: string[];
  notes: string | null;
}

export interface Payment {
  method: PaymentMethod;
  amount: number;
}

export interface Order {
  id: string;
  number: number;
  table: string | null;
  guest: number | null;
  status: OrderStatus;
  lines: Line[];
  tip: number;
  changeGiven: number;
  payments: Payment[];
  /** As the server stamped it (the model cannot know the instant, only the order of events). */
  paidAt: string | null;
}

export interface Ticket {
  /** Learnt from the board right after the order or items that created it. */
  id: string;
  order: number;
  station: string;
  status: TicketStatus;
  lines: Line[];
}

/** A request kept so that a retry can send it again, byte for byte, with its idempotency key. */
export interface Sent<T> {
  key: string;
  request: T;
  /** The order it produced, when it succeeded (a retry must return that one). */
  order: number | null;
}

export interface PlaceRequest {
  lines: Line[];
  guest: number | null;
  table: string | null;
}

export interface CheckoutRequest {
  order: number;
  tip: number;
  payments: Payment[];
}

export interface Model {
  items: Item[];
  guests: Guest[];
  orders: Order[];
  tickets: Ticket[];
  /** Kitchen events the server must have appended for this run's stations. */
  events: number;
  lastPlace: Sent<PlaceRequest> | null;
  lastCheckout: Sent<CheckoutRequest> | null;
  taxRateBps: number;
  pointsPerUnit: number;
}

// ------------------------------------------------------------------ money

export interface Totals {
  subtotal: number;
  discount: number;
  tax: number;
  tip: number;
  total: number;
}

/** Tax once per order on the subtotal, rounded half up to the minor unit (README, Money). */
export function totalsOf(m: Model, lines: readonly Line[], tip: number): Totals {
  const subtotal = lines.reduce((s, l) => s + l.quantity * m.items[l.item]!.price, 0);
  // Half up in integers: floor((x * bps + 5 000) / 10 000).
  const tax = subtotal <= 0 ? 0 : Math.floor((subtotal * m.taxRateBps + 5_000) / 10_000);
  return { subtotal, discount: 0, tax, tip, total: subtotal + tax + tip };
}

/** Quantities asked for per item, summed over the lines (stock is checked on the sum). */
export function demand(lines: readonly Line[]): Map<number, number> {
  const q = new Map<number, number>();
  for (const l of lines) q.set(l.item, (q.get(l.item) ?? 0) + l.quantity);
  return q;
}

/** The items a set of lines cannot have, by index; empty when the stock covers them. */
export function shortages(m: Model, lines: readonly Line[]): number[] {
  return [...demand(lines)].filter(([i, n]) => m.items[i]!.stock !== null && m.items[i]!.stock! < n).map(([i]) => i);
}

// ------------------------------------------------------------------ kitchen

export const OPEN_TICKETS: readonly TicketStatus[] = ['NEW', 'IN_PROGRESS', 'READY'];

/** The ticket life cycle (README, Kitchen): which states each action may leave, and where it goes. */
export const TICKET_ACTIONS = {
  start: { from: ['NEW'], to: 'IN_PROGRESS' },
  bump: { from: ['NEW', 'IN_PROGRESS', 'READY'], to: 'BUMPED' },
  recall: { from: ['BUMPED'], to: 'READY' },
} as const satisfies Record<string, { from: readonly TicketStatus[]; to: TicketStatus }>;
export type TicketAction = keyof typeof TICKET_ACTIONS;

/** One ticket per station for the given lines, in the order the stations first appear. */
export function ticketsFor(m: Model, lines: readonly Line[]): { station: string; lines: Line[] }[] {
  const byStation = new Map<string, Line[]>();
  for (const l of lines) {
    const station = m.items[l.item]!.station;
    byStation.set(station, [...(byStation.get(station) ?? []), l]);
  }
  return [...byStation].map(([station, ls]) => ({ station, lines: ls }));
}

/** A board ticket as the server must show it, in the shape the test queries. */
export function expectedTicket(m: Model, t: Ticket) {
  const order = m.orders[t.order]!;
  const guest = order.guest === null ? null : m.guests[order.guest]!;
  return {
    id: t.id,
    orderId: order.id,
    orderNumber: order.number,
    station: t.station,
    table: order.table,
    status: t.status,
    items: t.lines.map((l) => ({
      name: m.items[l.item]!.name,
      quantity: l.quantity,
      modifiers: l.modifiers,
      notes: l.notes,
      allergens: m.items[l.item]!.allergens,
    })),
    guestName: guest?.firstName ?? null,
    guestAllergies: guest?.allergies ?? [],
  };
}

export function expectedBoard(m: Model, station: string) {
  const open = m.tickets.filter((t) => t.station === station && OPEN_TICKETS.includes(t.status));
  const allDay = new Map<string, number>();
  for (const t of open)
    for (const l of t.lines) allDay.set(m.items[l.item]!.name, (allDay.get(m.items[l.item]!.name) ?? 0) + l.quantity);
  return {
    tickets: open.map((t) => expectedTicket(m, t)).sort((a, b) => a.id.localeCompare(b.id)),
    allDay: [...allDay]
      .map(([name, quantity]) => ({ name, quantity }))
      .sort((a, b) => b.quantity - a.quantity || a.name.localeCompare(b.name)),
  };
}

// ------------------------------------------------------------------ guest profiles, recomputed from the history

const DAY_MS = 86_400_000;

export interface Facts {
  visitCount: number;
  totalSpent: number;
  firstVisitAt: string | null;
  lastVisitAt: string | null;
}

/** A guest's paid orders (a voided order never counts toward a profile). */
export function visitsOf(m: Model, guest: number): Order[] {
  return m.orders.filter((o) => o.guest === guest && o.status === 'PAID');
}

export function factsOf(m: Model, guest: number): Facts {
  const visits = visitsOf(m, guest);
  const times = visits.map((o) => o.paidAt!).sort();
  return {
    visitCount: visits.length,
    totalSpent: visits.reduce((s, o) => s + totalsOf(m, o.lines, o.tip).total - o.tip, 0),
    firstVisitAt: times[0] ?? null,
    lastVisitAt: times.at(-1) ?? null,
  };
}

export function statsOf(f: Facts) {
  const first = f.firstVisitAt ? Date.parse(f.firstVisitAt) : null;
  const last = f.lastVisitAt ? Date.parse(f.lastVisitAt) : null;
  return {
    visitCount: f.visitCount,
    totalSpent: f.totalSpent,
    // Rounded half up (contract: totalSpent / visitCount).
    averageSpend: f.visitCount ? Math.round(f.totalSpent / f.visitCount) : 0,
    firstVisitAt: f.firstVisitAt,
    lastVisitAt: f.lastVisitAt,
    averageDaysBetweenVisits: f.visitCount >= 2 ? (last! - first!) / DAY_MS / (f.visitCount - 1) : null,
  };
}

/** Per dish: how many the guest had over their paid orders, and when they last had it. */
export function dishesOf(m: Model, guest: number): { menuItemId: string; count: number; lastAt: string }[] {
  const counts = new Map<number, { count: number; lastAt: string }>();
  for (const o of visitsOf(m, guest)) {
    for (const l of o.lines) {
      const c = counts.get(l.item) ?? { count: 0, lastAt: o.paidAt! };
      counts.set(l.item, { count: c.count + l.quantity, lastAt: c.lastAt > o.paidAt! ? c.lastAt : o.paidAt! });
    }
  }
  return [...counts].map(([i, c]) => ({ menuItemId: m.items[i]!.id, ...c }));
}

/** Loyalty: whole points per major unit of (subtotal - discount) of each paid order (README, Loyalty). */
export function pointsOf(m: Model, guest: number): number {
  return visitsOf(m, guest).reduce(
    (s, o) => s + Math.floor(totalsOf(m, o.lines, 0).subtotal / 100) * m.pointsPerUnit,
    0,
  );
}
