import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { OptionalProps } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Field, ID, ObjectType } from 'type-graphql';

/**
 * A guest, and the projection of their history that every checkout keeps up to date in its
 * own transaction (visit count, spend, first and last visit). Per-dish counts live in
 * customer_dish. Both are written incrementally: a checkout's cost never grows with history.
 */
@ObjectType({ description: "A guest of the restaurant and what the restaurant remembers about them." })
@Entity({ tableName: 'customer' })
@Index({ name: 'customer_last_visit_idx', properties: ['lastVisitAt'] })
export class Customer {
  [OptionalProps]?: 'id' | 'allergies' | 'tags' | 'marketingOptIn' | 'visitCount' | 'totalSpent' | 'createdAt' | 'updatedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ length: 80 })
  firstName: string;

  @Field(() => String, { nullable: true })
  @Property({ length: 80, nullable: true })
  lastName: string | null = null;

  @Field(() => String, { nullable: true, description: 'E.164, e.g. +14155550123.' })
  @Property({ length: 20, nullable: true, unique: 'customer_phone_unique' })
  phone: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ length: 254, nullable: true, unique: 'customer_email_unique' })
  email: string | null = null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' })
  @Property({ length: 10, nullable: true })
  birthday: string | null = null;

  @Field()
  @Property({ length: 9, unique: 'customer_loyalty_code_unique' })
  loyaltyCode: string;

  @Field(() => [String])
  @Property({ type: 'text[]' })
  allergies: string[] = [];

  @Field(() => [String])
  @Property({ type: 'text[]' })
  tags: string[] = [];

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  notes: string | null = null;

  @Field()
  @Property({ default: false })
  marketingOptIn: boolean = false;

  /** Paid orders (visits). */
  @Property({ type: 'integer', default: 0 })
  visitCount: number = 0;

  /** Sum over paid orders of (total - tip), in minor units. */
  @Property({ type: 'integer', default: 0 })
  totalSpent: number = 0;

  @Property({ type: 'timestamptz', nullable: true })
  firstVisitAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  lastVisitAt: Date | null = null;

  @Field()
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
