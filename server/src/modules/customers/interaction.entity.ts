import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { OptionalProps } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Staff } from '../auth/staff.entity.js';
import { Customer } from './customer.entity.js';

export enum InteractionKind {
  NOTE = 'NOTE',
  VISIT = 'VISIT',
  FEEDBACK = 'FEEDBACK',
  COMPLAINT = 'COMPLAINT',
  CALL = 'CALL',
  EMAIL = 'EMAIL',
}
registerEnumType(InteractionKind, { name: 'InteractionKind' });

/** Something that happened between the restaurant and a guest, written by a staff member. */
@ObjectType()
@Entity({ tableName: 'interaction' })
@Index({ name: 'interaction_customer_idx', properties: ['customer', 'createdAt'] })
export class Interaction {
  [OptionalProps]?: 'id' | 'createdAt' | 'staff';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { deleteRule: 'cascade' })
  customer: Customer;

  @Field(() => InteractionKind)
  @Enum({ items: () => InteractionKind, nativeEnumName: 'interaction_kind' })
  kind: InteractionKind;

  @Field()
  @Property({ type: 'text' })
  note: string;

  @Field(() => Staff, { nullable: true })
  @ManyToOne(() => Staff, { nullable: true, deleteRule: 'set null' })
  staff: Staff | null = null;

  @Field()
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
