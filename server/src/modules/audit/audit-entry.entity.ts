import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { OptionalProps } from '@mikro-orm/core';
import { appendedRowId } from '../../common/ids.js';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';

/**
 * One sensitive action: who (staff member, device, or nobody signed in), when, from where (the
 * device, or the client's address), what (action and subject) and how it ended. Append-only: a
 * trigger in PostgreSQL refuses UPDATE, DELETE and TRUNCATE on the table. Details never hold
 * personal data (ids, counts, amounts, roles, codes), so erasing a guest leaves nothing here
 * to erase.
 */
@ObjectType({ description: 'A sensitive action, as recorded in the append-only audit log.' })
@Entity({
  tableName: 'audit_log',
  // TRUNCATE is refused too, by a statement trigger in the migration (information_schema does
  // not list TRUNCATE triggers, so the ORM neither sees nor manages that one).
  triggers: [
    {
      name: 'audit_log_no_update_or_delete',
      timing: 'before',
      events: ['update', 'delete'],
      forEach: 'row',
      body: `raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege'`,
    },
  ],
})
@Index({ name: 'audit_log_subject_idx', properties: ['subjectId', 'at'] })
@Index({ name: 'audit_log_at_idx', properties: ['at', 'id'] })
export class AuditEntry {
  [OptionalProps]?: 'id' | 'at' | 'details' | 'result' | 'actorKind' | 'deviceId' | 'address' | 'subjectId';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = appendedRowId();

  @Field()
  @Property({ type: 'timestamptz' })
  at: Date = new Date();

  @Field({ description: 'e.g. login_failed, staff_created, device_token_issued, order_voided, discount_applied, customer_erased, profile_read.' })
  @Property({ length: 60 })
  action: string;

  @Field({ description: 'staff, device, or anonymous (nobody signed in), or system.' })
  @Property({ length: 12, default: 'system' })
  actorKind: string = 'system';

  @Field(() => ID, { nullable: true, description: 'The staff member or device that acted.' })
  @Property({ type: 'uuid', nullable: true })
  actorId: string | null;

  @Field(() => ID, { nullable: true, description: 'The display device the action came from, when it came from one.' })
  @Property({ type: 'uuid', nullable: true })
  deviceId: string | null = null;

  @Field(() => String, { nullable: true, description: "The client's network address." })
  @Property({ length: 64, nullable: true })
  address: string | null = null;

  @Field(() => ID, { nullable: true, description: 'What the action was about (a guest, an order, a staff member, a device).' })
  @Property({ type: 'uuid', nullable: true })
  subjectId: string | null = null;

  @Field({ description: 'OK, DENIED or FAILED.' })
  @Property({ length: 10, default: 'OK' })
  result: string = 'OK';

  @Field(() => GraphQLJSONObject)
  @Property({ type: 'json' })
  details: Record<string, unknown> = {};
}
