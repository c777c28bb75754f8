import { Field, ObjectType } from 'type-graphql';
import { PageInfo } from '../../common/pagination.js';
import { AuditEntry } from './audit-entry.entity.js';

@ObjectType()
export class AuditConnection {
  @Field(() => [AuditEntry])
  nodes: AuditEntry[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}
