import { Field, Int, ObjectType } from 'type-graphql';
import { KitchenTicket, type TicketItem } from './kitchen-ticket.entity.js';
import type { TicketStatus } from './ticket-states.js';

/** A ticket as the board reads it: KitchenTicket's fields, timestamps as ISO 8601 text (see DateTimeScalar). */
export interface BoardTicket {
  id: string;
  orderId: string;
  orderNumber: number;
  station: string;
  table: string | null;
  status: TicketStatus;
  items: TicketItem[];
  guestName: string | null;
  guestAllergies: string[];
  createdAt: string;
  startedAt: string | null;
  readyAt: string | null;
  bumpedAt: string | null;
}

@ObjectType()
export class AllDayCount {
  @Field()
  name: string;

  @Field(() => Int)
  quantity: number;
}

@ObjectType()
export class KitchenBoard {
  @Field(() => [KitchenTicket])
  tickets: BoardTicket[];

  /** Counted when a query asks for it (the kitchen display counts its own from the tickets). */
  @Field(() => [AllDayCount], { description: 'Quantities of each dish across the open tickets.' })
  get allDay(): AllDayCount[] {
    return allDayCounts(this.tickets);
  }

  @Field({ description: 'Pass as kitchenEvents(since:) to continue from this snapshot with no gap.' })
  cursor: string;
}

/** All-day counts: each dish's total quantity across the given tickets, largest first. */
export function allDayCounts(tickets: readonly { items: readonly { name: string; quantity: number }[] }[]): AllDayCount[] {
  const totals = new Map<string, number>();
  for (const t of tickets) for (const i of t.items) totals.set(i.name, (totals.get(i.name) ?? 0) + i.quantity);
  return [...totals]
    .map(([name, quantity]) => Object.assign(new AllDayCount(), { name, quantity }))
    .sort((a, b) => b.quantity - a.quantity || a.name.localeCompare(b.name));
}
