import type pg from 'pg';
import type { Orm } from '../../src/infra/database.js';
import { preparedStatementsOf } from '../../src/infra/prepared-statements.js';

/**
 * Records the statements the ORM's pool sends PostgreSQL as simple-protocol messages, one entry
 * per message, off each connection it hands out (the real socket; nothing is changed). The array
 * it returns fills as messages go out; empty it between measurements. The PREPAREs (and
 * DEALLOCATEs) of the prepared writes are left out: which connection prepares a statement first
 * is not what a test measures (`prepares` keeps them); `readable` shows what an EXECUTE runs.
 */
export async function recordMessages(orm: Orm, opts: { prepares?: boolean } = {}): Promise<string[]> {
  const sent: string[] = [];
  const recorded = new WeakSet<object>();
  const pool = (await orm.em.getConnection().getNativeClient()) as pg.Pool;
  pool.on('acquire', (client) => {
    const connection = (client as unknown as { connection: { query(text: string): void } }).connection;
    if (recorded.has(connection)) return;
    recorded.add(connection);
    const query = connection.query.bind(connection);
    connection.query = (text: string) => {
      if (opts.prepares || !/^(prepare|deallocate) "w_/.test(text)) sent.push(text);
      query(text);
    };
  });
  return sent;
}

/** A message with its `execute "w_…"(…)` shown as the statement it runs (the $-numbered definition). */
export function readable(orm: Orm, message: string): string {
  return message.replace(/execute "(w_[0-9a-f]+)"(\(.*\))?(?=;\ncommit$|$)/s, (whole, name: string) => preparedStatementsOf(orm.em)?.definition(name) ?? whole);
}
