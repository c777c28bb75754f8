import type pg from 'pg';
import type { Orm } from '../../src/infra/database.js';

/**
 * Records the statements the ORM's pool sends PostgreSQL as simple-protocol messages, one entry
 * per message, off each connection it hands out (the real socket; nothing is changed). The array
 * it returns fills as messages go out; empty it between measurements.
 */
export async function recordMessages(orm: Orm): Promise<string[]> {
  const sent: string[] = [];
  const recorded = new WeakSet<object>();
  const pool = (await orm.em.getConnection().getNativeClient()) as pg.Pool;
  pool.on('acquire', (client) => {
    const connection = (client as unknown as { connection: { query(text: string): void } }).connection;
    if (recorded.has(connection)) return;
    recorded.add(connection);
    const query = connection.query.bind(connection);
    connection.query = (text: string) => {
      sent.push(text);
      query(text);
    };
  });
  return sent;
}
