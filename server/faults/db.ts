import pg from 'pg';
import { inject } from 'vitest';
import '../test/support/provided.js';

/** Counts rows straight from PostgreSQL (this run's database unless another URL is given). */
export async function count(
  table: string,
  where = 'true',
  params: unknown[] = [],
  databaseUrl = inject('databaseUrl'),
): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `select count(*)::text as n from ${table} where ${where}`,
      params,
    );
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

/** Rows of a query straight from PostgreSQL. */
export async function rows<T>(sql: string, params: unknown[] = [], databaseUrl = inject('databaseUrl')): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
