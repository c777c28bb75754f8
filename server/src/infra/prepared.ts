import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';

/**
 * A read that PostgreSQL parses and plans once per connection, then only binds and runs: a named
 * prepared statement on the ORM's own pool. For hot reads outside a transaction whose planning is
 * a large part of their cost (the register's cold lookup: parse and plan were about 0.45 of its
 * 0.55 ms in PostgreSQL). The ORM's own `execute` sends each statement as new text with its
 * values inlined, so PostgreSQL plans it every time.
 *
 * The text uses `$1`, `$2`... placeholders. The name is derived from the text, so two texts never
 * share a name on a connection (pg refuses that). A connection pooler in front of PostgreSQL must
 * keep prepared statements per server connection (PgBouncer 1.21+ with max_prepared_statements,
 * or session pooling).
 */
export class PreparedRead {
  readonly name: string;

  constructor(readonly text: string) {
    this.name = `r_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
  }

  /**
   * Runs on a pooled connection, logged and timed as the ORM logs its own statements (so a test
   * counting statements sees it). Not inside a transaction: it would run on another connection.
   */
  async rows<T>(em: EntityManager, values: unknown[]): Promise<T[]> {
    if (em.isInTransaction()) throw new Error('a prepared read runs outside a transaction (it takes its own pooled connection)');
    const connection = em.getConnection() as unknown as OrmConnection;
    const pool = (await connection.getNativeClient()) as Pool;
    const result = await connection.executeQuery(this.text, () => pool.query<T & object>({ name: this.name, text: this.text, values }));
    return result.rows;
  }
}

/** The connection's own statement logging (protected in MikroORM's types; it logs, times and reports slow queries). */
interface OrmConnection {
  getNativeClient(): Promise<unknown>;
  executeQuery<R>(query: string, run: () => Promise<R>): Promise<R>;
}
