import { Field, Int, ObjectType } from 'type-graphql';
import { KitchenTicket, type TicketView } from './kitchen-ticket.entity.js';

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
  tickets: TicketView[];

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
