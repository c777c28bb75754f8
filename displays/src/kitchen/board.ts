import type { KitchenEventsSubscription, TicketFragment } from '../graphql/generated';

export type KitchenEventMessage = KitchenEventsSubscription['kitchenEvents'];

/** What a kitchen screen shows, rebuilt from a board snapshot and the events after its cursor. */
export interface BoardState {
  /** The last event applied (or the snapshot's cursor). Events at or below it are ignored. */
  cursor: number;
  /** Open tickets, oldest first. */
  tickets: TicketFragment[];
  /** Recently bumped tickets, newest first, for recall. */
  bumped: TicketFragment[];
}

const OPEN = new Set(['NEW', 'IN_PROGRESS', 'READY']);
export const RECENT_BUMPS = 8;

export function boardFromSnapshot(snapshot: { cursor: string; tickets: TicketFragment[] }): BoardState {
  return { cursor: Number(snapshot.cursor), tickets: sortByArrival(snapshot.tickets.filter((t) => OPEN.has(t.status))), bumped: [] };
}

function sortByArrival(tickets: TicketFragment[]): TicketFragment[] {
  return [...tickets].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * Applies one event. Pure: the same board and event always give the same board. Replays and
 * duplicates (an event at or below the cursor) change nothing, so resuming after a reconnect
 * is safe whatever the server sends again.
 */
export function applyKitchenEvent(state: BoardState, event: KitchenEventMessage): BoardState {
  const cursor = Number(event.cursor);
  if (!Number.isFinite(cursor) || cursor <= state.cursor) return state;
  const ticket = event.ticket;
  const others = state.tickets.filter((t) => t.id !== ticket.id);
  const bumpedOthers = state.bumped.filter((t) => t.id !== ticket.id);
  if (OPEN.has(ticket.status)) {
    return { cursor, tickets: sortByArrival([...others, ticket]), bumped: bumpedOthers };
  }
  if (ticket.status === 'BUMPED') {
    return { cursor, tickets: others, bumped: [ticket, ...bumpedOthers].slice(0, RECENT_BUMPS) };
  }
  return { cursor, tickets: others, bumped: bumpedOthers };
}

/** All-day counts: each dish's quantity across the open tickets, most first. */
export function allDay(tickets: readonly TicketFragment[]): { name: string; quantity: number }[] {
  const totals = new Map<string, number>();
  for (const t of tickets) for (const i of t.items) totals.set(i.name, (totals.get(i.name) ?? 0) + i.quantity);
  return [...totals].map(([name, quantity]) => ({ name, quantity })).sort((a, b) => b.quantity - a.quantity || a.name.localeCompare(b.name));
}

export type Age = 'fresh' | 'warning' | 'late';

/** Colour aging of a ticket: fresh, then warning after `warnMin`, late after `lateMin` minutes. */
export function ageOf(createdAt: string, now: number, warnMin = 5, lateMin = 10): Age {
  const minutes = (now - Date.parse(createdAt)) / 60_000;
  return minutes >= lateMin ? 'late' : minutes >= warnMin ? 'warning' : 'fresh';
}

/** "4:07" elapsed since the ticket came in. */
export function elapsed(createdAt: string, now: number): string {
  const s = Math.max(0, Math.floor((now - Date.parse(createdAt)) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
