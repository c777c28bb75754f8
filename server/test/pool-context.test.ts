import { AsyncLocalStorage } from 'node:async_hooks';
import { once } from 'node:events';
import type pg from 'pg';
import { afterEach, describe, expect, it, inject } from 'vitest';
import { openDatabase, type Orm } from '../src/infra/database.js';

// The ORM's pool keeps its idle timers and its connections out of the requests that use it
// (infra/pool-context.ts): a request's context stands for everything the request holds.
const request = new AsyncLocalStorage<string>();
let orm: Orm | undefined;

const poolOf = async (o: Orm) => (await o.em.getConnection().getNativeClient()) as pg.Pool;

afterEach(async () => {
  await orm?.close();
  orm = undefined;
});

describe('the ORM pool and request contexts', () => {
  it('releases a connection, and ends it when idle, outside the request that opened and used it', async () => {
    orm = await openDatabase(inject('databaseUrl'), { DATABASE_POOL_MAX: 2, DATABASE_POOL_IDLE_SECONDS: 1 });
    const pool = await poolOf(orm);
    // The request below opens a connection of its own: any the ORM opened at start-up ends first.
    while (pool.totalCount > 0) await once(pool, 'remove');
    const seen: Record<string, (string | undefined)[]> = { release: [], remove: [] };
    pool.on('release', () => seen.release!.push(request.getStore()));
    pool.on('remove', () => seen.remove!.push(request.getStore()));
    const ended = once(pool, 'remove');

    const answer = await request.run('order 1', () =>
      orm!.em.fork().transactional(async (em) => {
        const rows = await em.execute<{ n: number }[]>('select 1 as n');
        return { rows, store: request.getStore() };
      }),
    );
    expect(answer).toEqual({ rows: [{ n: 1 }], store: 'order 1' });
    expect(pool.totalCount).toBe(1);
    // pg-pool emits `release` where it starts the idle timer; the connection's socket ends it.
    expect(seen.release).toEqual([undefined]);
    await ended;
    expect(seen.remove).toEqual([undefined]);
    expect(pool.totalCount).toBe(0);
  });

  it("still answers each caller in its own context: an await, connect's callback, query's callback", async () => {
    orm = await openDatabase(inject('databaseUrl'), { DATABASE_POOL_MAX: 1 });
    const pool = await poolOf(orm);

    const afterAwait = await request.run('a', async () => {
      const client = await pool.connect();
      const store = request.getStore();
      client.release();
      return store;
    });
    expect(afterAwait).toBe('a');

    // With one connection, b waits for it while c holds it: b's callback runs on c's release.
    const held = await pool.connect();
    const inCallback = request.run(
      'b',
      () =>
        new Promise<string | undefined>((resolve, reject) =>
          pool.connect((err, client, done) => {
            if (err) return reject(err);
            const store = request.getStore();
            done();
            resolve(store);
          }),
        ),
    );
    request.run('c', () => held.release());
    expect(await inCallback).toBe('b');

    const inQueryCallback = await request.run(
      'd',
      () =>
        new Promise<string | undefined>((resolve, reject) =>
          pool.query('select 1', (err) => (err ? reject(err) : resolve(request.getStore()))),
        ),
    );
    expect(inQueryCallback).toBe('d');
  });
});
