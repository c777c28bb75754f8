import pg from 'pg';
import type { EntityManager } from '@mikro-orm/postgresql';
import { statementText, type PreparedStatements, type WithPreparedStatements } from './prepared-statements.js';

/**
 * The `pg` client of the ORM's pool (`driverOptions.Client`): it saves a transaction the round
 * trips of its BEGIN and, when asked, of its COMMIT.
 *
 * - **BEGIN goes with the first statement.** The ORM's `begin` is held back and sent in the same
 *   message as the transaction's first statement (`begin;<statement>`, the simple protocol runs
 *   both in order). A transaction with no statement sends nothing at all.
 * - **COMMIT can go with the last statement** (`lastStatement`): the statement and its COMMIT are
 *   one message, so the locks it took are released as soon as PostgreSQL has run it, not when the
 *   event loop gets round to sending the COMMIT. The ORM's own COMMIT afterwards finds no
 *   transaction open and is answered here. A statement sent after it in the same transaction is
 *   refused: it would run in autocommit.
 *
 * Only statements sent as plain text (the ORM inlines its values: `em.execute`, the unit of work)
 * are folded. Before any other query (bound values, a name, a cursor) a held BEGIN is sent on its
 * own. After a failed message the ORM's ROLLBACK goes out as usual.
 */
export class PgClient extends pg.Client {
  /**
   * Where the connection's transaction stands, as this client has seen it (pg's own transaction
   * status comes with ReadyForQuery, after a failed statement's error has been handed back).
   */
  #state: 'idle' | 'held' | 'open' | 'committed' = 'idle';

  /** The ORM's prepared statements (`driverOptions`, see WithPreparedStatements), if any. */
  readonly #statements: PreparedStatements | undefined;
  /** The ones prepared on this connection, least recently used first. */
  readonly #prepared = new Map<string, true>();

  constructor(config?: pg.ClientConfig & WithPreparedStatements) {
    super(config);
    this.#statements = config?.preparedStatements?.();
  }

  // pg's query has many overloads (callbacks, submittables, config objects); only a promise-style
  // call with text is ever folded, everything else goes to pg as it came.
  override query(...args: unknown[]): never {
    const [text, values, callback] = args;
    if (typeof text === 'string' && this.#state !== 'committed' && text.startsWith(EXECUTE)) this.#prepare(text);
    if (typeof text !== 'string' || typeof values === 'function' || callback !== undefined) {
      if (this.#state === 'committed') throw new Error(AFTER_COMMIT);
      if (this.#state === 'held') {
        this.#state = 'open';
        this.#sendBegin();
      }
      return this.#pg(args);
    }
    if (text === 'begin' && (this.#state === 'idle' || this.#state === 'held')) {
      this.#state = 'held';
      return done('BEGIN');
    }
    const end = endOf(text);
    if (end) {
      const state = this.#state;
      this.#state = 'idle';
      // Nothing was sent (an empty transaction), or the COMMIT went with the last statement.
      if (state === 'held' || state === 'committed') return done(end);
      return this.#pg(args);
    }
    if (this.#state === 'committed') {
      return Promise.reject(new Error(AFTER_COMMIT)) as never;
    }
    const commits = text.endsWith(COMMIT);
    if (commits && this.#state === 'idle') {
      return Promise.reject(new Error('a last statement with its COMMIT was sent outside a transaction')) as never;
    }
    if (this.#state === 'idle') {
      if (text.startsWith('start transaction')) this.#state = 'open'; // Kysely's BEGIN with an isolation level
      return this.#pg(args);
    }
    const begins = this.#state === 'held';
    this.#state = 'open';
    if (Array.isArray(values) && values.length > 0) {
      if (commits) return Promise.reject(new Error('a last statement with its COMMIT is sent as text')) as never;
      if (begins) this.#sendBegin();
      return this.#pg(args);
    }
    if (!begins && !commits) return this.#pg(args);
    return this.#send(begins ? `begin;${text}` : text, begins, commits) as never;
  }

  /**
   * Sends a message of the BEGIN and/or COMMIT with the statement, and hands back the statement's
   * own result. If it fails, the transaction is left open for the ORM's ROLLBACK (which PostgreSQL
   * answers with a warning when it was the COMMIT that failed and ended the transaction).
   */
  async #send(text: string, begins: boolean, commits: boolean): Promise<unknown> {
    const result = (await this.#pg([text])) as pg.QueryResult | pg.QueryResult[];
    if (commits) this.#state = 'committed';
    if (!Array.isArray(result)) return result;
    const own = result.slice(begins ? 1 : 0, commits ? -1 : undefined);
    return own.length === 1 ? own[0] : own;
  }

  /**
   * Prepares the statement an `execute "w_…"` names on this connection, if it is not yet: the
   * PREPARE is queued before it (pg sends queries in order), outside any held BEGIN (a PREPARE is
   * not undone by a rollback). Past PREPARED_PER_CONNECTION, the least recently used is dropped.
   * If PostgreSQL refuses the PREPARE, the EXECUTE fails with it and the shape runs inlined from
   * then on.
   */
  #prepare(text: string): void {
    const name = text.slice(EXECUTE.length, text.indexOf('"', EXECUTE.length));
    if (this.#prepared.delete(name)) {
      this.#prepared.set(name, true);
      return;
    }
    const definition = this.#statements?.definition(name);
    if (definition === undefined) return;
    if (this.#prepared.size >= PREPARED_PER_CONNECTION) {
      const oldest = this.#prepared.keys().next().value!;
      this.#prepared.delete(oldest);
      (this.#pg([`deallocate "${oldest}"`]) as Promise<unknown>).catch(() => undefined);
    }
    this.#prepared.set(name, true);
    (this.#pg([`prepare "${name}" as ${definition}`]) as Promise<unknown>).catch((err: Error & { code?: string }) => {
      // Already there (an earlier PREPARE whose answer was lost): it stays. Refused for what it
      // says (SQLSTATE class 42: a type it cannot infer, say): never again. Anything else (the
      // connection, an aborted transaction): tried again next time.
      if (err.code === '42P05') return;
      this.#prepared.delete(name);
      if (err.code?.startsWith('42')) this.#statements?.refused(name, err);
    });
  }

  /**
   * Sends a held BEGIN on its own, before a query that cannot carry it (bound values, a name, a
   * cursor, a callback). pg sends queries in order, so it goes out first; if the connection cannot
   * take it, the query after it fails too.
   */
  #sendBegin(): void {
    (this.#pg(['begin']) as Promise<unknown>).catch(() => undefined);
  }

  #pg(args: unknown[]): never {
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

const COMMIT = ';\ncommit';
const EXECUTE = 'execute "';
/** Statements kept prepared on one connection (PostgreSQL keeps each one's plan in the backend's memory). */
export const PREPARED_PER_CONNECTION = 100;
const AFTER_COMMIT = 'a statement was sent after its transaction committed with its last statement';

/**
 * The statement with its transaction's COMMIT: it must be the transaction's last (nothing may be
 * left for the unit of work to flush), and its values inlined (`em.execute`).
 */
export function lastStatement(sql: string): string {
  return `${sql}${COMMIT}`;
}

/**
 * Runs a transaction's last statement with its COMMIT (`lastStatement`). In a nested transaction
 * (a savepoint) or outside any, it runs as it is: the COMMIT belongs to whoever began the
 * transaction.
 */
export function executeLast<T extends Record<string, unknown>[] = Record<string, unknown>[]>(em: EntityManager, sql: string, params: readonly unknown[]): Promise<T> {
  const trx = em.getTransactionContext<object>();
  const outermost = trx !== undefined && !('savepointName' in trx);
  const s = statementText(em, sql, params);
  return em.execute<T>(outermost ? lastStatement(s.sql) : s.sql, s.params);
}

function endOf(text: string): 'COMMIT' | 'ROLLBACK' | null {
  return text === 'commit' ? 'COMMIT' : text === 'rollback' ? 'ROLLBACK' : null;
}

function done(command: string): never {
  return Promise.resolve({ command, rowCount: null, oid: 0, rows: [], fields: [] }) as never;
}
