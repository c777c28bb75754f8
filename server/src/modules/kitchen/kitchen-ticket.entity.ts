import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { OptionalProps } from '@mikro-orm/core';
import { appendedRowId } from '../../common/ids.js';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Order } from '../orders/order.entity.js';
import { TicketStatus } from './ticket-states.js';

/** One line of a ticket, as the cook reads it. A snapshot: later menu edits do not change it. */
@ObjectType()
export class TicketItem {
  @Field()
  name: string;

  @Field(() => Int)
  quantity: number;

  @Field(() => [String])
  modifiers: string[];

  @Field(() => String, { nullable: true })
  notes: string | null;

  @Field(() => [String], { description: "The dish's allergens." })
  allergens: string[];
}

/**
 * What one station has to make for one order. Carries only what a cook needs: never a
 * guest's contact data, spend or notes; for a known guest, their first name and allergies.
 */
@ObjectType({ description: 'What one kitchen station makes for one order.' })
@Entity({ tableName: 'kitchen_ticket' })
@Index({
  name: 'kitchen_ticket_open_idx',
  expression: `create index "kitchen_ticket_open_idx" on "kitchen_ticket" ("station", "created_at") where "status" in ('NEW', 'IN_PROGRESS', 'READY')`,
})
@Index({ name: 'kitchen_ticket_order_idx', properties: ['order'] })
export class KitchenTicket {
  [OptionalProps]?: 'id' | 'status' | 'guestAllergies' | 'createdAt' | 'updatedAt' | 'orderId';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = appendedRowId();

  @ManyToOne(() => Order, { deleteRule: 'cascade' })
  order: Order;

  @Field(() => ID)
  get orderId(): string {
    return this.order.id;
  }

  @Field(() => Int)
  @Property({ type: 'integer' })
  orderNumber: number;

  @Field()
  @Property({ length: 40 })
  station: string;

  @Field(() => String, { nullable: true })
  @Property({ fieldName: 'table_name', length: 20, nullable: true })
  table: string | null = null;

  @Field(() => TicketStatus)
  @Enum({ items: () => TicketStatus, nativeEnumName: 'ticket_status' })
  status: TicketStatus = TicketStatus.NEW;

  @Field(() => [TicketItem])
  @Property({ type: 'json' })
  items: TicketItem[];

  @Field(() => String, { nullable: true, description: 'First name of a known guest; never phone, email or other contact data.' })
  @Property({ length: 80, nullable: true })
  guestName: string | null = null;

  @Field(() => [String], { description: "The known guest's allergies, so the kitchen sees them on the ticket." })
  @Property({ type: 'text[]' })
  guestAllergies: string[] = [];

  @Field()
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  startedAt: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  readyAt: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  bumpedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  voidedAt: Date | null = null;

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

/**
 * A ticket as the screens read it, from the board's rows and the kitchen log's snapshots:
 * KitchenTicket's fields with the order as its id, timestamps as ISO 8601 text (the DateTime
 * scalar writes text in Date#toISOString's form as it is). No entity, no Date per timestamp.
 */
export interface TicketView {
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
