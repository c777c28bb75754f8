import pg from 'pg';
import { afterAll, beforeAll, beforeEach, inject } from 'vitest';
import { openDatabase, type Orm } from '../../src/infra/database.js';
import { recordMessages } from './messages.js';

export interface OneConnection {
  /** The ORM, its pool of one connection: every statement of a test runs on it. */
  orm: Orm;
  /** Another session, for looking at the table from outside the ORM's transactions. */
  other: pg.Client;
  /** The messages the ORM's connection sent (see recordMessages), emptied before each test. */
  sent: string[];
}

/**
 * The ORM with a pool of one connection and a scratch table of the test file's own (`columns`
 * in parentheses), created before its tests and dropped after them. Each test starts with the
 * table empty, the connection open (nothing below is its first use) and nothing recorded.
 */
export function oneConnection(table: string, columns: string, opts: { prepareAfter?: number; prepares?: boolean } = {}): OneConnection {
  const db = {} as OneConnection;
  beforeAll(async () => {
    db.orm = await openDatabase(inject('databaseUrl'), { DATABASE_POOL_MAX: 1, DATABASE_PREPARE_AFTER: opts.prepareAfter });
    db.sent = await recordMessages(db.orm, { prepares: opts.prepares });
    db.other = new pg.Client({ connectionString: inject('databaseUrl') });
    await db.other.connect();
    await db.other.query(`create table ${table} ${columns}`);
  });
  afterAll(async () => {
    await db.other?.query(`drop table if exists ${table}`);
    await db.other?.end();
    await db.orm?.close();
  });
  beforeEach(async () => {
    await db.other.query(`truncate ${table}`);
    await db.orm.em.fork().execute('select 1');
    db.sent.length = 0;
  });
  return db;
}
