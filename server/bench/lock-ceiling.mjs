// W4's serial section alone: how many placeOrder commits per second the two locks every order
// holds until its commit allow on this machine, with nothing else to do. Each transaction does
// what placeOrder does around those locks, reduced to the bone: an unlocked write (the order's
// own rows), then the day's counter row and the kitchen log's advisory lock, taken in the last
// statement, then commit (fsync on). The same transactions without the two locks (a sequence for
// the number, no advisory lock) are run interleaved as the comparison.
//
//   node server/bench/lock-ceiling.mjs [--clients 8,32] [--seconds 5] [--rounds 3]
//
// Needs PostgreSQL (DATABASE_URL, default postgres://postgres@localhost:5432/postgres); a scratch
// database is created and dropped.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { median, round } from './lib/stats.mjs';

const { values } = parseArgs({ options: { clients: { type: 'string' }, seconds: { type: 'string' }, rounds: { type: 'string' } } });
const clients = (values.clients ?? '8,32').split(',').map(Number);
const seconds = Number(values.seconds ?? 5);
const rounds = Number(values.rounds ?? 3);
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@localhost:5432/postgres';
const dbName = `pos_lockceiling_${randomBytes(4).toString('hex')}`;
const dbUrl = new URL(adminUrl);
dbUrl.pathname = `/${dbName}`;

const LOCKED = `with "day" as (
    insert into "counter" ("day", "last") values ('d', 1) on conflict ("day") do update set "last" = "counter"."last" + 1 returning "last"
  ), "log" as (select pg_advisory_xact_lock(7202611) as "locked"),
  "e" as (insert into "event" ("n", "payload") select "day"."last", $1 from "day" cross join "log")
  select 1`;
const UNLOCKED = `with "day" as (select nextval('numbers') as "last"),
  "e" as (insert into "event" ("n", "payload") select "day"."last", $1 from "day")
  select 1`;

async function run(pool, finalStatement, n) {
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  const payload = randomBytes(200).toString('hex');
  await Promise.all(
    Array.from({ length: n }, async () => {
      const c = await pool.connect();
      try {
        while (Date.now() < deadline) {
          await c.query('begin');
          await c.query('insert into "work" ("payload") values ($1)', [payload]);
          await c.query(finalStatement, [payload]);
          await c.query('commit');
          done++;
        }
      } finally {
        c.release();
      }
    }),
  );
  return done / seconds;
}

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database "${dbName}"`);
const pool = new pg.Pool({ connectionString: dbUrl.href, max: Math.max(...clients) });
try {
  await pool.query(`create table "counter" ("day" text primary key, "last" int not null);
    create table "event" ("id" bigserial primary key, "n" bigint not null, "payload" text not null);
    create table "work" ("id" bigserial primary key, "payload" text not null);
    create sequence "numbers";`);
  const { rows } = await pool.query('show synchronous_commit');
  console.log(`synchronous_commit ${rows[0].synchronous_commit}; ${rounds} rounds of ${seconds} s per variant, interleaved`);
  for (const n of clients) {
    const locked = [];
    const unlocked = [];
    for (let r = 0; r < rounds; r++) {
      locked.push(await run(pool, LOCKED, n));
      unlocked.push(await run(pool, UNLOCKED, n));
    }
    const [a, b] = [median(locked), median(unlocked)];
    console.log(`${n} clients: with the two locks ${round(a, 0)} commits/s, without ${round(b, 0)} commits/s (${round(a / b, 2)}x); rounds ${locked.map((x) => round(x, 0)).join(', ')} / ${unlocked.map((x) => round(x, 0)).join(', ')}`);
  }
} finally {
  await pool.end();
  await admin.query(`drop database "${dbName}"`);
  await admin.end();
}
