import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { configFrom } from '../../src/config.js';
import { migrate, openDatabase } from '../../src/infra/database.js';
import { createLogger } from '../../src/infra/logger.js';
import './provided.js';

/**
 * A database of its own for a test file that must see every row it did not write (the access
 * matrix calls every mutation as every role; the fuzz test compares the whole database before
 * and after), so other files writing at the same time cannot disturb it. Migrated, then dropped.
 */
export async function isolatedDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const runUrl = new URL(inject('databaseUrl'));
  const name = `${runUrl.pathname.slice(1)}_${label}_${randomBytes(2).toString('hex')}`.slice(0, 63);
  const adminUrl = new URL(runUrl.toString());
  adminUrl.pathname = '/postgres';
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(runUrl.toString());
  url.pathname = `/${name}`;
  const log = createLogger({ LOG_LEVEL: 'warn' });
  const orm = await openDatabase(url.toString(), configFrom({}), log);
  await migrate(orm, log);
  await orm.close();
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
