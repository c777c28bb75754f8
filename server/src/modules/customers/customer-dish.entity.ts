import { Entity, Index, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { PrimaryKeyProp } from '@mikro-orm/core';
import { MenuItem } from '../menu/menu-item.entity.js';
import { Customer } from './customer.entity.js';

/** How often a guest has had a dish, and when last: the rows behind Customer.usualDishes. */
@Entity({ tableName: 'customer_dish' })
@Index({ name: 'customer_dish_usual_idx', expression: 'create index "customer_dish_usual_idx" on "customer_dish" ("customer_id", "count" desc, "last_ordered_at" desc)' })
export class CustomerDish {
  [PrimaryKeyProp]?: ['customer', 'menuItem'];

  @ManyToOne(() => Customer, { primary: true, deleteRule: 'cascade' })
  customer: Customer;

  @ManyToOne(() => MenuItem, { primary: true })
  menuItem: MenuItem;

  @Property({ type: 'integer' })
  count: number;

  @Property({ type: 'timestamptz' })
  lastOrderedAt: Date;
}
