import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { configFrom } from '../src/config.js';
import { migrate, openDatabase } from '../src/infra/database.js';
import { createLogger } from '../src/infra/logger.js';
import './support/provided.js';

/** One fresh database and Redis key prefix per test run; dropped afterwards. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@localhost:5432/postgres');
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const database = `pos_test_${runId}`;
  const admin = new pg.Client({ connectionString: withDatabase(base, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  await admin.end();

  const databaseUrl = withDatabase(base, database);
  const log = createLogger({ LOG_LEVEL: 'warn' });
  const orm = await openDatabase(databaseUrl, configFrom({}), log);
  await migrate(orm, log);
  await orm.close();

  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', process.env.REDIS_URL ?? 'redis://localhost:6379');
  project.provide('redisPrefix', `pos-test:${runId}:`);

  return async () => {
    const client = new pg.Client({ connectionString: withDatabase(base, 'postgres') });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await client.end();
  };
}

function withDatabase(base: URL, database: string): string {
  const url = new URL(base.toString());
  url.pathname = `/${database}`;
  return url.toString();
}
