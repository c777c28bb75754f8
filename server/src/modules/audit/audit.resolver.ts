import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../common/context.js';
import type { AuditService } from './audit.service.js';
import { AuditConnection } from './audit.types.js';

@Resolver()
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Query(() => AuditConnection, { description: 'Sensitive actions, newest first (ADMIN). Filter by action or subject.' })
  auditLog(
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('action', () => String, { nullable: true }) action?: string,
    @Arg('subjectId', () => ID, { nullable: true }) subjectId?: string,
  ): Promise<AuditConnection> {
    return this.audit.list(ctx, { first, after, action, subjectId });
  }
}
