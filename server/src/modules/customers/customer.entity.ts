import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { OptionalProps } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Field, ID, ObjectType } from 'type-graphql';
import { LifecycleStage } from './lifecycle.js';
import type { DishCount } from './customer.types.js';


/** The expression the trigram search index covers: name, email and phone, lower-cased. */
export const SEARCH_EXPRESSION = `lower(coalesce("first_name", '') || ' ' || coalesce("last_name", '') || ' ' || coalesce("email", '') || ' ' || coalesce("phone", ''))`;

/**
 * A guest, and the projection of their history that every checkout keeps up to date in its
 * own transaction (visit count, spend, first and last visit). Per-dish counts live in
 * customer_dish. Both are written incrementally: a checkout's cost never grows with history.
 */
@ObjectType({ description: "A guest of the restaurant and what the restaurant remembers about them." })
@Entity({ tableName: 'customer' })
@Index({ name: 'customer_stage_idx', expression: 'create index "customer_stage_idx" on "customer" ("lifecycle_stage", "created_at" desc, "id" desc) where "erased_at" is null' })
@Index({ name: 'customer_segments_idx', expression: 'create index "customer_segments_idx" on "customer" using gin ("segments") where "erased_at" is null' })
@Index({ name: 'customer_list_idx', expression: 'create index "customer_list_idx" on "customer" ("created_at" desc, "id" desc) where "erased_at" is null' })
@Index({
  name: 'customer_search_trgm_idx',
  expression: `create index "customer_search_trgm_idx" on "customer" using gin ((${SEARCH_EXPRESSION}) gin_trgm_ops) where "erased_at" is null`,
})
export class Customer {
  [OptionalProps]?:
    | 'id'
    | 'allergies'
    | 'tags'
    | 'marketingOptIn'
    | 'visitCount'
    | 'totalSpent'
    | 'createdAt'
    | 'updatedAt'
    | 'lifecycleStage'
    | 'segments';

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

  /** When and by whom marketingOptIn last changed (consent record). */
  @Property({ type: 'timestamptz', nullable: true })
  marketingOptInChangedAt: Date | null = null;

  @Property({ type: 'uuid', nullable: true })
  marketingOptInChangedBy: string | null = null;

  /**
   * Stage and RFM segments are stored (indexed for filtering at a million guests) and kept
   * current two ways: every checkout reclassifies its guest, and a periodic sweep reclassifies
   * the guests whose ClassificationDue has passed, the only ones whose stage can have moved
   * with the clock alone (see lifecycle.ts). A sweep touches only those rows.
   *
   * A checkout changes none of customer's indexed columns as a rule (the stage and segments only
   * when they move), so its update of the row is HOT: the new version goes on the same page
   * (the table's fillfactor leaves room, set in its migration) and no index gets an entry.
   * Keep it so: an index on a column every checkout writes costs each order one entry per index.
   */
  @Field(() => LifecycleStage)
  @Enum({ items: () => LifecycleStage, nativeEnumName: 'lifecycle_stage', default: LifecycleStage.NEW })
  lifecycleStage: LifecycleStage = LifecycleStage.NEW;

  @Field(() => [String], { description: 'RFM segments, e.g. champions, loyal, big-spenders, new, at-risk, hibernating, lost.' })
  @Property({ type: 'text[]', defaultRaw: "'{}'" })
  segments: string[] = [];

  /** Set when the guest's personal data was erased; the row stays for the books. */
  @Property({ type: 'timestamptz', nullable: true })
  erasedAt: Date | null = null;

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

  /** Usual dishes carried by a cached profile, so the warm lookup path runs no SQL. Not persisted. */
  cachedDishes?: DishCount[];

  /** Other modules' parts of a cached profile (loyalty points), by name. Not persisted. */
  cachedExtras?: Record<string, unknown>;
}
