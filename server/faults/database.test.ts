import { afterAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { killServerProcesses } from '../test/support/server-process.js';
import { startCluster } from '../test/support/cluster.js';
import { gql } from '../test/support/http.js';
import { count } from './db.js';
import { atRate, CHECKOUT, key, migrateDatabase, must, ORDER, startPostgres, withRetries } from './support.js';

afterAll(killServerProcesses);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DOWN_MS = Number(process.env.FAULTS_PG_DOWN_MS ?? 8_000);

// 2. PostgreSQL stopped and started again under load, two instances, clients retrying with their keys.
describe('PostgreSQL restarted under load', () => {
  it(
    'fails mutations with a masked, retryable error while it is down, recovers without a restart, and retries make 0 duplicates and lose 0 orders',
    { timeout: 600_000 },
    async () => {
      const pg = await startPostgres();
      await migrateDatabase(pg.url);
      const c = await startCluster(2, { DATABASE_URL: pg.url, MIGRATE_ON_START: 'false', DATABASE_POOL_MAX: '5' });
      try {
        const [a, b] = c.instances as [(typeof c.instances)[number], (typeof c.instances)[number]];
        const dish = (
          await must<{ createMenuItem: { id: string } }>(
            a.url,
            'mutation($i: MenuItemInput!) { createMenuItem(input: $i) { id } }',
            {
              i: {
                sku: `PG-${randomUUID().slice(0, 8)}`,
                name: 'Restart stew',
                category: 'Faults',
                price: 1_100,
                station: 'grill',
                allergens: [],
              },
            },
            c.tokens.MANAGER,
          )
        ).createMenuItem.id;
        const table = `pg-${randomUUID().slice(0, 8)}`;
        const seen: { code?: unknown; retryable?: unknown; message: string }[] = [];
        const acked: string[] = [];
        const lost: string[] = [];

        const visit = async (n: number) => {
          const via = n % 2 ? b : a;
          const place = { idempotencyKey: key(), table, items: [{ menuItemId: dish, quantity: 1 }] };
          const pay = key();
          const call = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
            const res = await gql<T>(via.url, query, variables, c.tokens.SERVER);
            if (res.errors?.length) {
              for (const e of res.errors)
                seen.push({ code: e.extensions?.code, retryable: e.extensions?.retryable, message: e.message });
              throw new Error(res.errors[0]!.message);
            }
            return res.data as T;
          };
          try {
            const placed = await withRetries(
              () => call<{ placeOrder: { id: string; total: number } }>(ORDER, { i: place }),
              60_000,
            );
            await withRetries(
              () =>
                call(CHECKOUT, {
                  id: placed.placeOrder.id,
                  i: { idempotencyKey: pay, payments: [{ method: 'CASH', amount: placed.placeOrder.total }] },
                }),
              60_000,
            );
            acked.push(placed.placeOrder.id);
          } catch (err) {
            lost.push(String(err));
          }
        };

        const load = atRate(10, 4_000 + DOWN_MS + 6_000, visit);
        await sleep(4_000);
        await pg.stop();
        const stoppedAt = Date.now();
        await sleep(DOWN_MS);
        await pg.start();
        console.log(`[faults] PostgreSQL back after ${Date.now() - stoppedAt} ms`);
        await load;

        expect(lost).toEqual([]);
        // Errors were seen while it was down, and every one of them was masked and marked retryable.
        expect(seen.length).toBeGreaterThan(0);
        for (const e of seen) {
          expect(e).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', retryable: true });
          expect(e.message).toMatch(/^Service briefly unavailable, retry \(correlation id [0-9a-f-]{36}\)$/);
        }
        // The same processes serve again: no restart.
        for (const i of c.instances) expect(i.process.child.exitCode).toBeNull();
        expect((await fetch(`${a.url}/readyz`)).status).toBe(200);
        // Every acknowledged order once, paid; nothing more than the visits made.
        expect(new Set(acked).size).toBe(acked.length);
        expect(await count('orders', `table_name = $1`, [table], pg.url)).toBe(acked.length);
        expect(await count('orders', `table_name = $1 and status = 'PAID'`, [table], pg.url)).toBe(acked.length);
        expect(await count('payment p join orders o on o.id = p.order_id', 'o.table_name = $1', [table], pg.url)).toBe(
          acked.length,
        );
        console.log(
          `[faults] PostgreSQL down ${DOWN_MS / 1000} s: ${acked.length} orders acknowledged, ${seen.length} retryable errors answered meanwhile`,
        );
      } finally {
        await c.close();
        await pg.destroy();
      }
    },
  );
});
