import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { OptionalProps } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Field, ID, ObjectType } from 'type-graphql';
import { Role } from '../../common/roles.js';
import { Staff } from './staff.entity.js';

/** A display device (kitchen or host screen) with a long-lived, revocable token. */
@ObjectType({ description: 'A display device signed in with a device token.' })
@Entity({ tableName: 'device' })
export class Device {
  [OptionalProps]?: 'id' | 'createdAt' | 'revokedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ length: 120 })
  name: string;

  @Field(() => Role)
  @Enum({ items: () => Role, nativeEnumName: 'role' })
  role: Role;

  /** SHA-256 of the token; the token itself is shown once and never stored. */
  @Property({ length: 64, unique: true, hidden: true })
  tokenHash: string;

  @ManyToOne(() => Staff, { deleteRule: 'restrict' })
  issuedBy: Staff;

  @Field()
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Field({ nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date;
}
