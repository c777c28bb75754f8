import { Check, Entity, Enum, Index, ManyToOne, OneToMany, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Cascade, Collection, OptionalProps } from '@mikro-orm/core';
import { appendedRowId } from '../../common/ids.js';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { MenuItem } from '../menu/menu-item.entity.js';
import { Customer } from '../customers/customer.entity.js';

export enum OrderStatus {
  OPEN = 'OPEN',
  PAID = 'PAID',
  VOIDED = 'VOIDED',
}
registerEnumType(OrderStatus, { name: 'OrderStatus' });

export enum PaymentMethod {
  CASH = 'CASH',
  CARD = 'CARD',
  GIFT_CARD = 'GIFT_CARD',
  OTHER = 'OTHER',
}
registerEnumType(PaymentMethod, { name: 'PaymentMethod' });

@ObjectType({ description: 'A check: what a table ordered, and how it was paid.' })
@Entity({ tableName: 'orders' })
@Unique({ name: 'orders_business_day_number_unique', properties: ['businessDate', 'number'] })
@Index({ name: 'orders_status_created_idx', properties: ['status', 'createdAt', 'id'] })
@Index({ name: 'orders_created_idx', properties: ['createdAt', 'id'] })
@Index({ name: 'orders_customer_created_idx', properties: ['customer', 'createdAt', 'id'] })
@Check({ name: 'orders_amounts_non_negative', expression: 'subtotal >= 0 and discount >= 0 and tax >= 0 and tip >= 0 and total >= 0 and change_given >= 0' })
export class Order {
  [OptionalProps]?: 'id' | 'status' | 'discount' | 'tax' | 'tip' | 'total' | 'changeGiven' | 'createdAt' | 'updatedAt' | 'lines' | 'payments';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = appendedRowId();

  @Field(() => Int, { description: 'Short number shown on tickets and to the guest.' })
  @Property({ type: 'integer' })
  number: number;

  /** The restaurant's business day (YYYY-MM-DD, local time zone); numbers restart each day. */
  @Property({ length: 10 })
  businessDate: string;

  @Field(() => OrderStatus)
  @Enum({ items: () => OrderStatus, nativeEnumName: 'order_status' })
  status: OrderStatus = OrderStatus.OPEN;

  @Field(() => String, { nullable: true })
  @Property({ fieldName: 'table_name', length: 20, nullable: true })
  table: string | null = null;

  @ManyToOne(() => Customer, { nullable: true, deleteRule: 'set null' })
  customer: Customer | null = null;

  @OneToMany(() => OrderLine, (l) => l.order, { cascade: [Cascade.PERSIST], orderBy: { position: 'asc' } })
  lines = new Collection<OrderLine>(this);

  @OneToMany(() => Payment, (p) => p.order, { cascade: [Cascade.PERSIST], orderBy: { createdAt: 'asc' } })
  payments = new Collection<Payment>(this);

  @Field(() => Int)
  @Property({ type: 'integer' })
  subtotal: number;

  @Field(() => Int)
  @Property({ type: 'integer', default: 0 })
  discount: number = 0;

  @Field(() => Int)
  @Property({ type: 'integer', default: 0 })
  tax: number = 0;

  @Field(() => Int)
  @Property({ type: 'integer', default: 0 })
  tip: number = 0;

  @Field(() => Int)
  @Property({ type: 'integer', default: 0 })
  total: number = 0;

  @Field(() => Int, { description: 'Cash handed back when cash over-tendered the total.' })
  @Property({ type: 'integer', default: 0 })
  changeGiven: number = 0;

  @Field({ description: 'Whether the order has been sent to the kitchen.' })
  @Property()
  sentToKitchen: boolean;

  /** The staff member who opened the check. */
  @Property({ type: 'uuid' })
  createdBy: string;

  @Field()
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  paidAt: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  voidedAt: Date | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  voidReason: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  voidedBy: string | null = null;

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

@ObjectType()
@Entity({ tableName: 'order_line' })
@Index({ name: 'order_line_order_idx', properties: ['order'] })
@Check({ name: 'order_line_quantity_positive', expression: 'quantity > 0' })
@Check({ name: 'order_line_price_non_negative', expression: 'unit_price >= 0' })
export class OrderLine {
  [OptionalProps]?: 'id' | 'modifiers' | 'notes' | 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = appendedRowId();

  @ManyToOne(() => Order, { deleteRule: 'cascade' })
  order: Order;

  @Field(() => MenuItem)
  @ManyToOne(() => MenuItem)
  menuItem: MenuItem;

  /** Order of entry on the check. */
  @Property({ type: 'integer' })
  position: number;

  @Field({ description: 'The item name when ordered.' })
  @Property({ length: 120 })
  name: string;

  /** The station when ordered (tickets are routed by it). */
  @Property({ length: 40 })
  station: string;

  @Field(() => Int)
  @Property({ type: 'integer' })
  quantity: number;

  @Field(() => Int, { description: 'Minor units, the menu price when ordered.' })
  @Property({ type: 'integer' })
  unitPrice: number;

  @Field(() => [String])
  @Property({ type: 'text[]' })
  modifiers: string[] = [];

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  notes: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

@ObjectType()
@Entity({ tableName: 'payment' })
@Index({ name: 'payment_order_idx', properties: ['order'] })
@Check({ name: 'payment_amount_positive', expression: 'amount > 0' })
export class Payment {
  [OptionalProps]?: 'id' | 'reference' | 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = appendedRowId();

  @ManyToOne(() => Order, { deleteRule: 'cascade' })
  order: Order;

  @Field(() => PaymentMethod)
  @Enum({ items: () => PaymentMethod, nativeEnumName: 'payment_method' })
  method: PaymentMethod;

  @Field(() => Int)
  @Property({ type: 'integer' })
  amount: number;

  @Field(() => String, { nullable: true, description: "The processor's reference; never a card number." })
  @Property({ length: 120, nullable: true })
  reference: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
