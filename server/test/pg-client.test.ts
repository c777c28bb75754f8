import { describe, expect, inject, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { openDatabase } from '../src/infra/database.js';
import { lastStatement } from '../src/infra/pg-client.js';
import { oneConnection } from './support/one-connection.js';

// The ORM's pool with one connection, so every transaction below runs on the same one; the texts
// it sends as simple-protocol messages are recorded.
const TABLE = `pg_client_test_${process.pid}`;
const db = oneConnection(TABLE, `(id int primary key, n int not null, u int unique deferrable initially deferred)`);

const rows = async () => (await db.other.query<{ id: number; n: number }>(`select id, n from ${TABLE} order by id`)).rows;
const inTransaction = <T>(work: (em: EntityManager) => Promise<T>) => db.orm.em.fork().transactional(work);

describe("the ORM's pg client", () => {
  it("sends a transaction's BEGIN with its first statement, and its COMMIT with the last statement when asked", async () => {
    await inTransaction(async (em) => {
      await em.execute(`insert into ${TABLE} (id, n) values (1, 1)`);
      await em.execute(`insert into ${TABLE} (id, n) values (2, 2)`);
      await em.execute(lastStatement(`update ${TABLE} set n = n + 10`));
    });
    expect(db.sent).toEqual([
      `begin;insert into ${TABLE} (id, n) values (1, 1)`,
      `insert into ${TABLE} (id, n) values (2, 2)`,
      `update ${TABLE} set n = n + 10;\ncommit`,
    ]);
    expect(await rows()).toEqual([
      { id: 1, n: 11 },
      { id: 2, n: 12 },
    ]);
  });

  it('gives each statement its own result, the first and the last included', async () => {
    const [first, last] = await inTransaction(async (em) => {
      const a = await em.execute<{ id: number }[]>(`insert into ${TABLE} (id, n) values (1, 1) returning id`);
      const b = await em.execute<{ n: number }[]>(lastStatement(`update ${TABLE} set n = 5 returning n`));
      return [a, b];
    });
    expect(first).toEqual([{ id: 1 }]);
    expect(last).toEqual([{ n: 5 }]);
    // A transaction of one statement: BEGIN, the statement and COMMIT in one message.
    const only = await inTransaction((em) => em.execute<{ n: number }[]>(lastStatement(`update ${TABLE} set n = 6 returning n`)));
    expect(only).toEqual([{ n: 6 }]);
    expect(db.sent.at(-1)).toBe(`begin;update ${TABLE} set n = 6 returning n;\ncommit`);
  });

  it("releases the last statement's locks when PostgreSQL has run it, not when the event loop sends a COMMIT", async () => {
    await db.other.query(`insert into ${TABLE} (id, n) values (1, 0)`);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let written!: () => void;
    const wrote = new Promise<void>((r) => (written = r));
    const transaction = inTransaction(async (em) => {
      await em.execute(lastStatement(`update ${TABLE} set n = 1 where id = 1`));
      written();
      await held; // the transaction's callback is still running
    });
    await wrote;
    // Another session takes the row's lock at once and sees the write.
    await db.other.query('begin');
    const locked = await db.other.query(`select n from ${TABLE} where id = 1 for update nowait`);
    await db.other.query('rollback');
    expect(locked.rows).toEqual([{ n: 1 }]);
    release();
    await transaction;
  });

  it('refuses a statement after the one that committed, so nothing runs outside the transaction', async () => {
    await expect(
      inTransaction(async (em) => {
        await em.execute(lastStatement(`insert into ${TABLE} (id, n) values (1, 1)`));
        await em.execute(`insert into ${TABLE} (id, n) values (2, 2)`);
      }),
    ).rejects.toThrow(/after its transaction committed/);
    expect(await rows()).toEqual([{ id: 1, n: 1 }]);
    // The connection is usable again.
    await inTransaction((em) => em.execute(`insert into ${TABLE} (id, n) values (3, 3)`));
    expect(await rows()).toHaveLength(2);
    // And COMMIT is asked for only inside a transaction.
    await expect(db.orm.em.fork().execute(lastStatement(`insert into ${TABLE} (id, n) values (4, 4)`))).rejects.toThrow(/outside a transaction/);
    expect(await rows()).toHaveLength(2);
  });

  it('rolls back when the first statement, the last one or its COMMIT fails, and the connection is clean afterwards', async () => {
    await db.other.query(`insert into ${TABLE} (id, n, u) values (1, 1, 1)`);
    // The first statement fails (with the BEGIN in its message).
    await expect(inTransaction((em) => em.execute(`insert into ${TABLE} (id, n) values (1, 9)`))).rejects.toThrow(/duplicate key/);
    // The last statement fails (before its COMMIT).
    await expect(
      inTransaction(async (em) => {
        await em.execute(`insert into ${TABLE} (id, n) values (2, 2)`);
        await em.execute(lastStatement(`insert into ${TABLE} (id, n) values (1, 9)`));
      }),
    ).rejects.toThrow(/duplicate key/);
    // The COMMIT fails (a deferred unique check), which ends the transaction in PostgreSQL.
    await expect(
      inTransaction(async (em) => {
        await em.execute(`insert into ${TABLE} (id, n, u) values (3, 3, 1)`);
        await em.execute(lastStatement(`update ${TABLE} set n = 30 where id = 3`));
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await rows()).toEqual([{ id: 1, n: 1 }]);
    expect(db.sent.filter((s) => s === 'rollback')).toHaveLength(3);
    const after = await inTransaction(async (em) => {
      await em.execute(`insert into ${TABLE} (id, n) values (4, 4)`);
      return em.execute<{ n: number }[]>(`select count(*)::int as n from ${TABLE}`);
    });
    expect(after).toEqual([{ n: 2 }]);
  });

  it('sends nothing for a transaction without statements, and a BEGIN of its own before bound values or a cursor', async () => {
    await inTransaction(async () => undefined);
    await expect(
      inTransaction(async () => {
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(db.sent).toEqual([]);
    await inTransaction(async (em) => {
      // Kysely's transaction, given a compiled query as its CompiledQuery.raw builds one.
      const trx = em.getTransactionContext<{ executeQuery(q: unknown): Promise<unknown> }>()!;
      const sql = `insert into ${TABLE} (id, n) values ($1, $2)`;
      await trx.executeQuery({ sql, parameters: [7, 7], query: { kind: 'RawNode', sqlFragments: [sql], parameters: [] }, queryId: { queryId: 'bound' } });
    });
    expect(db.sent).toEqual(['begin', 'commit']); // the insert went with the extended protocol between them
    expect(await rows()).toEqual([{ id: 7, n: 7 }]);
    // A cursor as the first statement: the BEGIN goes first, so what it does is rolled back with the rest.
    db.sent.length = 0;
    await expect(
      inTransaction(async (em) => {
        const trx = em.getTransactionContext();
        for await (const row of em.getConnection().stream(`insert into ${TABLE} (id, n) values (8, 8) returning id`, [], trx)) expect(row).toEqual({ id: 8 });
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(db.sent).toEqual(['begin', 'rollback']);
    expect(await rows()).toEqual([{ id: 7, n: 7 }]);
  });
});

describe("the ORM's pool", () => {
  it('keeps its connections open while idle for less than DATABASE_POOL_IDLE_SECONDS, and closes them after', { timeout: 20_000 }, async () => {
    const kept = await openDatabase(inject('databaseUrl'), { DATABASE_POOL_MAX: 3 });
    const closed = await openDatabase(inject('databaseUrl'), { DATABASE_POOL_MAX: 3, DATABASE_POOL_IDLE_SECONDS: 1 });
    try {
      // Three transactions at once: each pool opens its three connections.
      const backends = async (orm: typeof kept) => {
        const pids = await Promise.all(
          [0, 1, 2].map(async () => (await orm.em.fork().execute<{ pid: number }[]>('select pg_backend_pid() as pid, pg_sleep(0.1)'))[0]!.pid),
        );
        expect(new Set(pids).size).toBe(3);
        return pids;
      };
      const open = async (pids: number[]) =>
        Number((await db.other.query<{ n: string }>('select count(*)::text as n from pg_stat_activity where pid = any($1)', [pids])).rows[0]!.n);
      const [keptPids, closedPids] = [await backends(kept), await backends(closed)];
      expect([await open(keptPids), await open(closedPids)]).toEqual([3, 3]);
      await new Promise((r) => setTimeout(r, 2_500));
      // The default (ten minutes) keeps them; one second does not.
      expect([await open(keptPids), await open(closedPids)]).toEqual([3, 0]);
    } finally {
      await kept.close();
      await closed.close();
    }
  });
});
