import { Check, Entity, Enum, Index, ManyToOne, OneToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { OptionalProps } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { appendedRowId } from '../../common/ids.js';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Customer } from '../customers/customer.entity.js';
import { LifecycleStage } from '../customers/lifecycle.js';
import { MenuItem } from '../menu/menu-item.entity.js';

export enum PointsKind {
  EARN = 'EARN',
  REDEEM = 'REDEEM',
  ADJUST = 'ADJUST',
  EXPIRE = 'EXPIRE',
}
registerEnumType(PointsKind, { name: 'PointsKind' });

/**
 * The points ledger: every change of a guest's points, signed. The balance is always the sum of
 * a guest's entries; loyalty_account keeps that sum (and the lifetime earned) up to date in the
 * same transaction, so reading a balance never sums the ledger.
 */
@Entity({ tableName: 'points_entry' })
@Index({ name: 'points_entry_customer_idx', properties: ['customer', 'createdAt'] })
@Index({ name: 'points_entry_order_idx', properties: ['orderId'] })
export class PointsEntry {
  [OptionalProps]?: 'id' | 'createdAt' | 'orderId' | 'rewardId' | 'note';

  @PrimaryKey({ type: 'uuid' })
  id: string = appendedRowId();

  @ManyToOne(() => Customer, { deleteRule: 'cascade' })
  customer: Customer;

  @Enum({ items: () => PointsKind, nativeEnumName: 'points_kind' })
  kind: PointsKind;

  /** Signed: earn and positive adjustments add, redeem and expire take away. */
  @Property({ type: 'integer' })
  points: number;

  @Property({ type: 'uuid', nullable: true })
  orderId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  rewardId: string | null = null;

  @Property({ length: 200, nullable: true })
  note: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

@Entity({ tableName: 'loyalty_account' })
@Check({ name: 'loyalty_account_points_non_negative', expression: 'points >= 0' })
export class PointsAccount {
  [OptionalProps]?: 'points' | 'lifetimePoints' | 'updatedAt';

  @OneToOne(() => Customer, { primary: true, deleteRule: 'cascade', owner: true })
  customer: Customer;

  @Property({ type: 'integer', default: 0 })
  points: number = 0;

  @Property({ type: 'integer', default: 0 })
  lifetimePoints: number = 0;

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

@ObjectType()
@Entity({ tableName: 'reward' })
@Check({ name: 'reward_points_positive', expression: 'points_cost > 0' })
export class Reward {
  [OptionalProps]?: 'id' | 'createdAt' | 'active' | 'discountAmount' | 'freeMenuItem';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ length: 120 })
  name: string;

  @Field(() => Int)
  @Property({ type: 'integer' })
  pointsCost: number;

  @Field(() => Int, { nullable: true, description: 'Discount in minor units, or the price of freeMenuItem when set.' })
  @Property({ type: 'integer', nullable: true })
  discountAmount: number | null = null;

  @Field(() => MenuItem, { nullable: true })
  @ManyToOne(() => MenuItem, { nullable: true, eager: true })
  freeMenuItem: MenuItem | null = null;

  @Property({ default: true })
  active: boolean = true;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

@ObjectType()
@Entity({ tableName: 'promotion' })
@Check({ name: 'promotion_one_kind', expression: '(discount_percent is null) <> (discount_amount is null)' })
export class Promotion {
  [OptionalProps]?: 'id' | 'createdAt' | 'discountPercent' | 'discountAmount' | 'lifecycleStage' | 'segment' | 'startsAt' | 'endsAt' | 'active';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ length: 120 })
  name: string;

  @Field()
  @Property({ length: 40, unique: 'promotion_code_unique' })
  code: string;

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  discountPercent: number | null = null;

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  discountAmount: number | null = null;

  @Field(() => LifecycleStage, { nullable: true, description: 'Only customers in this lifecycle stage qualify, when set.' })
  @Enum({ items: () => LifecycleStage, nativeEnumName: 'lifecycle_stage', nullable: true })
  lifecycleStage: LifecycleStage | null = null;

  @Field(() => String, { nullable: true, description: 'Only customers in this segment qualify, when set.' })
  @Property({ length: 40, nullable: true })
  segment: string | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  startsAt: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  endsAt: Date | null = null;

  /** Set by the service for the clock it runs on (within the window). */
  @Field()
  active: boolean;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
