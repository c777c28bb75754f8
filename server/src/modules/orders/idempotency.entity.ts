import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { PrimaryKeyProp } from '@mikro-orm/core';

/**
 * One row per idempotency key, scoped to the operation and the caller. Claimed by the first
 * statement of the operation's transaction, so concurrent duplicates wait on the unique key
 * and then see the committed result. Kept until expiresAt (72 hours by default).
 */
@Entity({ tableName: 'idempotency_key' })
@Index({ name: 'idempotency_key_expires_idx', properties: ['expiresAt'] })
export class IdempotencyKey {
  [PrimaryKeyProp]?: ['scope', 'actorId', 'key'];

  @PrimaryKey({ length: 40 })
  scope: string;

  @PrimaryKey({ type: 'uuid' })
  actorId: string;

  @PrimaryKey({ length: 200 })
  key: string;

  /** sha256 of the canonical payload. */
  @Property({ length: 64 })
  requestHash: string;

  /** The id of the first result (an order). */
  @Property({ type: 'uuid', nullable: true })
  resultId: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  expiresAt: Date;
}

/** The next order number of each business day. */
@Entity({ tableName: 'order_day_counter' })
export class OrderDayCounter {
  @PrimaryKey({ length: 10 })
  businessDate: string;

  @Property({ type: 'integer' })
  lastNumber: number;
}
