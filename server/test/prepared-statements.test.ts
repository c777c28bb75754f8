import { describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { executeLast, PREPARED_PER_CONNECTION } from '../src/infra/pg-client.js';
import { executePrepared, PreparedStatements } from '../src/infra/prepared-statements.js';
import { oneConnection } from './support/one-connection.js';

// The ORM's pool with one connection (every statement below runs on it), its statements prepared
// on their second run; every message it sends is recorded, PREPAREs included.
const TABLE = `prepared_test_${process.pid}`;
const db = oneConnection(TABLE, `(id int primary key, n int not null, note text, tags text[] not null default '{}')`, { prepareAfter: 2, prepares: true });

const inTransaction = <T>(work: (em: EntityManager) => Promise<T>) => db.orm.em.fork().transactional(work);
const prepared = async (): Promise<string[]> =>
  (await db.other.query<{ name: string }>(`select name from pg_prepared_statements`)).rows.map((r) => r.name); // another session's: empty
const serverSide = async (em: EntityManager): Promise<string[]> =>
  (await em.execute<{ name: string }[]>(`select name from pg_prepared_statements where name like 'w\\_%' order by name`)).map((r) => r.name);

describe('prepared writes', () => {
  it('inlines a shape until its second run, then prepares it once on the connection and executes it', async () => {
    const insert = `insert into ${TABLE} (id, n, note) values (?, ?, ?) returning id, n, note`;
    const results = [];
    for (let id = 1; id <= 4; id++) results.push(await executePrepared(db.orm.em.fork(), insert, [id, id * 10, `note ${id}`]));
    expect(results).toEqual([1, 2, 3, 4].map((id) => [{ id, n: id * 10, note: `note ${id}` }]));
    expect(db.sent[0]).toBe(`insert into ${TABLE} (id, n, note) values (1, 10, 'note 1') returning id, n, note`);
    const name = /^prepare "(w_[0-9a-f]+)" as /.exec(db.sent[1]!)?.[1];
    expect(db.sent[1]).toBe(`prepare "${name}" as insert into ${TABLE} (id, n, note) values ($1, $2, $3) returning id, n, note`);
    expect(db.sent.slice(2)).toEqual([`execute "${name}"(2, 20, 'note 2')`, `execute "${name}"(3, 30, 'note 3')`, `execute "${name}"(4, 40, 'note 4')`]);
    expect(await serverSide(db.orm.em.fork())).toContain(name);
    expect(await prepared()).toEqual([]);
  });

  it('travels with its BEGIN and its COMMIT, each statement getting its own result', async () => {
    const insert = `insert into ${TABLE} (id, n) values (?, ?) returning id`;
    const update = `update ${TABLE} set n = n + ? where id = ? returning n`;
    for (let round = 1; round <= 3; round++) {
      db.sent.length = 0;
      const [a, b] = await inTransaction(async (em) => [await executePrepared(em, insert, [round, 1]), await executeLast(em, update, [5, round])]);
      expect(a).toEqual([{ id: round }]);
      expect(b).toEqual([{ n: 6 }]);
      const own = db.sent.filter((m) => !m.startsWith('prepare '));
      expect(own).toHaveLength(2);
      expect(own[0]).toMatch(round === 1 ? /^begin;insert / : /^begin;execute "w_[0-9a-f]+"\(\d, 1\)$/);
      expect(own[1]).toMatch(round === 1 ? /^update .*;\ncommit$/s : /^execute "w_[0-9a-f]+"\(5, \d\);\ncommit$/);
    }
    expect((await db.other.query(`select id, n from ${TABLE} order by id`)).rows).toEqual([1, 2, 3].map((id) => ({ id, n: 6 })));
  });

  it('keeps values exactly as given: quotes, backslashes, null, dates and lists', async () => {
    const insert = `insert into ${TABLE} (id, n, note, tags) values (?, ?, ?, array[?]::text[]) returning note, tags`;
    const notes = [`it's`, 'back\\slash \\n', null, `'; drop table ${TABLE}; --`];
    for (const [i, note] of notes.entries()) {
      const [row] = await executePrepared<{ note: string | null; tags: string[] }[]>(db.orm.em.fork(), insert, [i, i, note, ['a', `b'c`]]);
      expect(row).toEqual({ note, tags: ['a', `b'c`] });
    }
    expect(db.sent.filter((m) => m.startsWith('execute '))).toHaveLength(notes.length - 1);
    const when = new Date('2026-11-26T10:00:00.123Z');
    const read = async () => (await executePrepared<{ at: string }[]>(db.orm.em.fork(), 'select ?::timestamptz as at', [when]))[0]!.at;
    const [inlined, executed] = [await read(), await read()];
    expect(db.sent.at(-1)).toMatch(/^execute "w_[0-9a-f]+"\('2026-11-26/);
    expect(executed).toEqual(inlined);
    expect(new Date(executed)).toEqual(when);
  });

  it('reads objects, booleans, big integers, bytes and unicode back as the inlined statement does', async () => {
    const select = 'select ?::jsonb as j, ?::boolean as b, ?::bigint as n, ?::bytea as x, ?::text as t';
    const values = [{ a: [1, "it's"], b: 'back\\slash' }, false, 9007199254740993n, Buffer.from([0, 1, 254, 255]), 'Crème brûlée 🍮'];
    const inlined = await executePrepared(db.orm.em.fork(), select, values);
    const executed = await executePrepared(db.orm.em.fork(), select, values);
    expect(db.sent.at(-1)).toMatch(/^execute "w_/);
    expect(executed).toEqual(inlined);
    expect(executed[0]).toMatchObject({ j: values[0], b: false, t: values[4] });
  });

  it('gives each length of a list its own shape', async () => {
    const select = `select count(*)::int as n from ${TABLE} where id in (?)`;
    await db.other.query(`insert into ${TABLE} (id, n) values (1, 0), (2, 0), (3, 0)`);
    for (const ids of [[1], [1, 2], [1], [1, 2], [1, 2, 3], [1, 2]]) {
      const [{ n }] = await executePrepared<{ n: number }[]>(db.orm.em.fork(), select, [ids]);
      expect(n).toBe(ids.length);
    }
    const prepares = db.sent.filter((m) => m.startsWith('prepare '));
    expect(prepares).toEqual([
      expect.stringMatching(/ where id in \(\$1\)$/),
      expect.stringMatching(/ where id in \(\$1, \$2\)$/),
    ]);
  });

  it('runs a shape PostgreSQL will not prepare inlined from then on, after failing the run that found out', async () => {
    // Inlined, 1 + 2 adds two integers; prepared, $1 + $2 has no types to choose an operator by.
    const select = 'select ? + ? as v';
    expect(await executePrepared(db.orm.em.fork(), select, [1, 2])).toEqual([{ v: 3 }]);
    await expect(executePrepared(db.orm.em.fork(), select, [2, 2])).rejects.toThrow(/prepared statement .* does not exist/);
    expect(await executePrepared(db.orm.em.fork(), select, [3, 2])).toEqual([{ v: 5 }]);
    expect(await executePrepared(db.orm.em.fork(), select, [4, 2])).toEqual([{ v: 6 }]);
    expect(db.sent.filter((m) => m.startsWith('prepare '))).toHaveLength(1);
    expect(db.sent.at(-1)).toBe('select 4 + 2 as v');
  });

  it(`keeps at most ${PREPARED_PER_CONNECTION} statements prepared on a connection, dropping the least recently used`, async () => {
    const em = db.orm.em.fork();
    const before = (await serverSide(em)).length;
    const shape = (i: number) => `select ?::int + ${i} as v`;
    for (let i = 0; i < PREPARED_PER_CONNECTION + 5; i++) {
      for (let run = 0; run < 2; run++) expect(await executePrepared(em, shape(i), [1])).toEqual([{ v: i + 1 }]);
    }
    const now = await serverSide(em);
    expect(now.length).toBe(PREPARED_PER_CONNECTION);
    expect(now.length).toBeGreaterThanOrEqual(before);
    expect(db.sent.filter((m) => m.startsWith('deallocate "w_')).length).toBe(before + PREPARED_PER_CONNECTION + 5 - PREPARED_PER_CONNECTION);
    // The ones dropped are prepared again when they come back.
    expect(await executePrepared(em, shape(0), [2])).toEqual([{ v: 2 }]);
  });
});

describe('the shapes', () => {
  it('never prepares with 0, nor statements carrying identifiers or SQL fragments', () => {
    const never = new PreparedStatements(0);
    for (let i = 0; i < 5; i++) expect(never.prepared('select ?', [1])).toBeNull();
    const once = new PreparedStatements(1);
    expect(once.prepared('select ?? from t where id = ?', ['a', 1])).toBeNull();
    const fragment = { sql: 'now()', params: [] as unknown[] };
    Object.setPrototypeOf(fragment, { raw: true });
    expect(once.prepared('select ?', [fragment])).toBeNull();
    const escaped = once.prepared('select ?, \\? from t', [1])!;
    expect(escaped.values).toEqual([1]);
    expect(once.definition(escaped.name)).toBe('select $1, ? from t');
  });

  it('spreads lists into one value each, and names a shape by its definition', () => {
    const s = new PreparedStatements(1);
    const a = s.prepared('select * from t where id in (?) and n = ?', [[1, 2, 3], 4])!;
    expect(a.values).toEqual([1, 2, 3, 4]);
    expect(a.name).toMatch(/^w_[0-9a-f]{24}$/);
    expect(s.definition(a.name)).toBe('select * from t where id in ($1, $2, $3) and n = $4');
    expect(s.prepared('select * from t where id in (?) and n = ?', [[7, 8, 9], 1])!.name).toBe(a.name);
    expect(s.prepared('select * from t where id in (?) and n = ?', [[7], 1])!.name).not.toBe(a.name);
    expect(s.prepared('select 1', [])).toEqual({ name: expect.stringMatching(/^w_/), values: [] });
  });
});

describe('many shapes', () => {
  it('forgets the shapes never executed first, and keeps the definitions of executed ones', () => {
    const s = new PreparedStatements(2, undefined, 10);
    expect(s.prepared('select ? as hot', [1])).toBeNull();
    const hot = s.prepared('select ? as hot', [1])!;
    for (let i = 0; i < 30; i++) s.prepared(`select ? as one_off_${i}`, [i]);
    expect(s.definition(hot.name)).toBe('select $1 as hot');
    expect(s.prepared('select ? as hot', [1])!.name).toBe(hot.name);
    // A one-off seen again counts from the start: it was forgotten.
    expect(s.prepared('select ? as one_off_0', [0])).toBeNull();
  });
});
