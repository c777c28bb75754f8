import { Entity, Index, OneToOne, Property } from '@mikro-orm/decorators/legacy';
import { PrimaryKeyProp } from '@mikro-orm/core';
import { Customer } from './customer.entity.js';

/**
 * When a guest's lifecycle stage or segments next change with the clock alone (see
 * lifecycle.ts): the periodic sweep reclassifies the guests whose time has come, through the
 * index on dueAt. It is a table of its own, not a column of customer, because every checkout
 * moves it: an indexed column on customer would make each checkout's update of the guest's row
 * add an entry to every index on customer instead of staying on its page (a HOT update).
 * No row: nothing will change without a visit.
 */
@Entity({ tableName: 'customer_classification_due' })
@Index({ name: 'customer_classification_due_at_idx', properties: ['dueAt'] })
export class ClassificationDue {
  [PrimaryKeyProp]?: 'customer';

  @OneToOne(() => Customer, { primary: true, deleteRule: 'cascade', owner: true })
  customer: Customer;

  @Property({ type: 'timestamptz' })
  dueAt: Date;
}
