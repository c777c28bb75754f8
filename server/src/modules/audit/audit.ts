import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../../common/context.js';
import { AuditEntry } from './audit-entry.entity.js';

export type AuditResult = 'OK' | 'DENIED' | 'FAILED';

export interface AuditFact {
  action: string;
  subjectId?: string | null;
  /** Ids, counts, amounts, roles, codes: never names, contact data, notes or free text. */
  details?: Record<string, unknown>;
  result?: AuditResult;
  at?: Date;
}

function entry(ctx: RequestContext, fact: AuditFact): Partial<AuditEntry> & Pick<AuditEntry, 'action' | 'actorId'> {
  const actor = ctx.actor;
  return {
    action: fact.action,
    actorKind: actor ? actor.kind : ctx.ip ? 'anonymous' : 'system',
    actorId: actor?.id ?? null,
    deviceId: actor?.kind === 'device' ? actor.id : null,
    address: ctx.ip?.slice(0, 64) ?? null,
    subjectId: fact.subjectId ?? null,
    result: fact.result ?? 'OK',
    details: fact.details ?? {},
    ...(fact.at ? { at: fact.at } : {}),
  };
}

/** Adds an entry to the caller's unit of work: it commits, or rolls back, with the action it records. */
export function recordAudit(em: EntityManager, ctx: RequestContext, fact: AuditFact): void {
  em.create(AuditEntry, entry(ctx, fact));
}

/** Writes an entry on its own (a refusal, a read): nothing else is pending to commit with it. */
export async function writeAudit(ctx: RequestContext, fact: AuditFact): Promise<void> {
  const em = ctx.em.fork();
  em.create(AuditEntry, entry(ctx, fact));
  await em.flush();
}

/** The entries of one action about one subject, oldest first (a guest's consent history, for an export). */
export function auditHistory(em: EntityManager, subjectId: string, action: string): Promise<AuditEntry[]> {
  return em.find(AuditEntry, { subjectId, action }, { orderBy: { at: 'asc' } });
}
