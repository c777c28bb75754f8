import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { PreparedRead } from '../src/infra/prepared.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe('a prepared read', () => {
  it('runs as a named prepared statement of its connection, so PostgreSQL parses and plans it once there', async () => {
    // The statement looks itself up among the session's prepared statements.
    const self = new PreparedRead('select name, statement from pg_prepared_statements where name = $1');
    for (let i = 0; i < 3; i++) {
      const rows = await self.rows<{ name: string; statement: string }>(t.orm.em.fork(), [self.name]);
      expect(rows).toEqual([{ name: self.name, statement: self.text }]);
    }
    // Another text gets another name.
    expect(new PreparedRead('select 1 where $1::int = 1').name).not.toBe(self.name);
  });

  it('is logged like the ORM statements, and refuses to run inside a transaction (it would take another connection)', async () => {
    const logged: string[] = [];
    const counting = await startTestApp({}, { onQuery: (sql) => logged.push(sql) });
    try {
      const read = new PreparedRead('select $1::int + 1 as n');
      expect(await read.rows<{ n: number }>(counting.orm.em.fork(), [41])).toEqual([{ n: 42 }]);
      expect(logged.filter((q) => q.includes('select $1::int + 1 as n'))).toHaveLength(1);
      await expect(counting.orm.em.fork().transactional((em) => read.rows(em, [1]))).rejects.toThrow(/outside a transaction/);
    } finally {
      await counting.close();
    }
  });
});
