import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ObjectType } from 'type-graphql';
import { KitchenTicket, type TicketView } from './kitchen-ticket.entity.js';
import { TicketEventType } from './ticket-states.js';

/**
 * The kitchen event log: append-only, the source of truth for every kitchen screen. Ids are
 * taken under a transaction-level advisory lock held until commit, so they are in commit
 * order: a reader that has seen id N has seen every event that will ever exist below N.
 */
@Entity({ tableName: 'kitchen_event' })
@Index({ name: 'kitchen_event_station_idx', properties: ['station', 'id'] })
export class KitchenEventRecord {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id: string;

  @Property({ type: 'uuid' })
  ticketId: string;

  @Property({ length: 40 })
  station: string;

  @Enum({ items: () => TicketEventType, nativeEnumName: 'ticket_event_type' })
  type: TicketEventType;

  /** The ticket as it was right after this event. */
  @Property({ type: 'json' })
  ticket: Record<string, unknown>;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date;
}

/** What kitchenEvents delivers. */
@ObjectType()
export class KitchenEvent {
  @Field({ description: 'Monotonic; events are delivered in cursor order.' })
  cursor: string;

  @Field(() => TicketEventType)
  type: TicketEventType;

  @Field(() => KitchenTicket)
  ticket: TicketView;
}
