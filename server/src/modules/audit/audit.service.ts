import type { RequestContext } from '../../common/context.js';
import { decodeCursor, encodeCursor, pageSize } from '../../common/pagination.js';
import { AuditEntry } from './audit-entry.entity.js';
import { AuditConnection } from './audit.types.js';

/** Reading the audit log (writing is audit.ts, from the services whose actions it records). */
export class AuditService {
  async list(ctx: RequestContext, opts: { first?: number | null; after?: string | null; action?: string | null; subjectId?: string | null }): Promise<AuditConnection> {
    const first = pageSize(opts.first, 50);
    const after = decodeCursor(opts.after);
    const where: Record<string, unknown> = {};
    if (opts.action) where.action = opts.action;
    if (opts.subjectId) where.subjectId = opts.subjectId;
    if (after) where.$or = [{ at: { $lt: after.at } }, { at: after.at, id: { $lt: after.id } }];
    const rows = await ctx.em.find(AuditEntry, where, { orderBy: [{ at: 'desc' }, { id: 'desc' }], limit: first + 1 });
    const nodes = rows.slice(0, first);
    const last = nodes.at(-1);
    return { nodes, pageInfo: { hasNextPage: rows.length > first, endCursor: last ? encodeCursor({ at: last.at, id: last.id }) : null } };
  }

}
