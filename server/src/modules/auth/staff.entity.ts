import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { OptionalProps } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Field, ID, ObjectType } from 'type-graphql';
import { Role } from '../../common/roles.js';

@ObjectType({ description: 'A member of staff who signs in with email and password.' })
@Entity({ tableName: 'staff' })
export class Staff {
  [OptionalProps]?: 'id' | 'active' | 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ length: 120 })
  name: string;

  /** Stored lower-cased; unique. */
  @Field()
  @Property({ length: 254, unique: true })
  email: string;

  @Property({ hidden: true, lazy: true })
  passwordHash: string;

  @Field(() => Role)
  @Enum({ items: () => Role, nativeEnumName: 'role' })
  role: Role;

  @Property({ default: true })
  active: boolean = true;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
