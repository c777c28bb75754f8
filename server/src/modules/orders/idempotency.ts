import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, ErrorCode } from '../../common/errors.js';
import type { Statement } from '../../common/statement.js';
import { executePrepared } from '../../infra/prepared-statements.js';

/** A stable JSON form: object keys sorted, undefined dropped, so equal payloads hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function payloadHash(payload: unknown): string {
  return createHash('sha256').update(canonicalJson(payload)).digest('hex');
}

export type Claim = { kind: 'claimed' } | { kind: 'replay'; resultId: string };

/**
 * Idempotency keys, scoped to (operation, caller). claim() must be the first statement of the
 * operation's transaction: the insert takes the key, with the id of the result the operation
 * will make (chosen before it starts), so the key is written once and never looked up again by
 * this transaction; a concurrent duplicate blocks on the primary key until the first
 * transaction ends, then sees its committed row and replays it (or claims the key if the first
 * one rolled back, since nothing acknowledged was stored).
 */
export class Idempotency {
  constructor(private readonly ttlHours: number) {}

  /**
   * Takes the key, and runs the caller's first reads in the same statement (one round trip):
   * each read is a SELECT whose rows come back as JSON objects (keyed by column) under its
   * name. The reads run whatever the claim's outcome, and a replay ignores them; a read may
   * lock its rows (FOR UPDATE), which then stay locked to the end of the transaction.
   * `resultId` is what a replay of this key will return once this transaction has committed.
   */
  async claim<R extends Record<string, Statement | undefined>>(
    em: EntityManager,
    scope: string,
    actorId: string,
    key: string,
    payload: unknown,
    resultId: string,
    reads: R = {} as R,
  ): Promise<{ claim: Claim; rows: { [N in keyof R]: Record<string, unknown>[] } }> {
    const k = key.trim();
    if (!k || k.length > 200) throw AppError.badInput('idempotencyKey', 'must be 1 to 200 characters');
    const hash = payloadHash(payload);
    const named = Object.entries(reads).filter((e): e is [string, Statement] => e[1] !== undefined);
    const [row] = await executePrepared<Record<string, unknown>[]>(
      em,
      `with "claim" as (
         insert into "idempotency_key" ("scope", "actor_id", "key", "request_hash", "result_id", "created_at", "expires_at")
         values (?, ?, ?, ?, ?::uuid, now(), now() + make_interval(hours => ?))
         on conflict do nothing returning "key"
       )
       select (select count(*) from "claim")::int as "claimed"${named
         .map(([n, read]) => `, (select coalesce(json_agg("r"), '[]'::json) from (${read.sql}) "r") as "${n}"`)
         .join('')}`,
      [scope, actorId, k, hash, resultId, this.ttlHours, ...named.flatMap(([, read]) => read.params)],
    );
    const rows = Object.fromEntries(named.map(([n]) => [n, row![n]])) as { [N in keyof R]: Record<string, unknown>[] };
    if (row!.claimed) return { claim: { kind: 'claimed' }, rows };
    return { claim: await this.replay(em, scope, actorId, k, hash), rows };
  }

  /** The key was taken: the first request's result, if it was this request and has finished. */
  private async replay(em: EntityManager, scope: string, actorId: string, k: string, hash: string): Promise<Claim> {
    const [row] = await em.execute<{ request_hash: string; result_id: string | null }[]>(
      `select "request_hash", "result_id" from "idempotency_key" where "scope" = ? and "actor_id" = ? and "key" = ?`,
      [scope, actorId, k],
    );
    if (!row || row.request_hash !== hash) {
      throw new AppError(ErrorCode.CONFLICT, 'idempotencyKey: this key was already used with a different request', { field: 'idempotencyKey' });
    }
    if (!row.result_id) throw new AppError(ErrorCode.CONFLICT, 'idempotencyKey: the first request with this key has not finished');
    return { kind: 'replay', resultId: row.result_id };
  }

  /** Deletes expired keys; returns how many. Run periodically. */
  async purgeExpired(em: EntityManager): Promise<number> {
    const res = await em.execute<{ n: string }[]>(
      `with gone as (delete from "idempotency_key" where "expires_at" < now() returning 1) select count(*)::text as n from gone`,
    );
    return Number(res[0]?.n ?? 0);
  }
}
