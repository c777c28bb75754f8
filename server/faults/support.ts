import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createLogger } from '../src/infra/logger.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/infra/embedded-postgres.js';
import { freePort } from '../test/support/ports.js';
import { gql } from '../test/support/http.js';
import { startServerProcess } from '../test/support/server-process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A redis-server of the test's own on a random port, to kill -9, pause and bring back. */
export interface OwnRedis {
  url: string;
  port: number;
  /** SIGKILL: it loses everything (no persistence, like the production compose). */
  kill(): Promise<void>;
  /** Start again on the same port. */
  start(): Promise<void>;
  /** SIGSTOP: connections stay open and every command hangs (keeps its data). */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<OwnRedis> {
  const bin = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (!bin) throw new Error('The faults suite needs redis-server on PATH (apt-get install redis-server)');
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG') return;
      await sleep(50);
    }
    throw new Error('redis-server did not start');
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    c.kill('SIGKILL');
    await new Promise((r) => c.once('exit', r));
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    start,
    stop: kill,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
  };
}

/** A PostgreSQL cluster of the test's own (the embedded binaries) that a test can stop and start. */
export interface OwnPostgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'pos-faults-pg-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as its own user when the tests run as root
  const port = await freePort();
  const log = createLogger({ LOG_LEVEL: 'warn' });
  let db: EmbeddedDatabase | undefined = await startEmbeddedPostgres({ dataDir: dir, port, database: 'pos', log });
  const url = db.url;
  return {
    url,
    stop: async () => {
      await db?.stop();
      db = undefined;
    },
    start: async () => {
      db = await startEmbeddedPostgres({ dataDir: dir, port, database: 'pos', log });
    },
    destroy: async () => {
      await db?.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Applies the migrations to a database with one `main.js migrate` process. */
export async function migrateDatabase(databaseUrl: string): Promise<void> {
  const p = startServerProcess({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' }, 'migrate');
  p.ready.catch(() => undefined); // migrate prints no ready line: it exits when done
  const code = await p.exited;
  if (code !== 0) throw new Error(`migrate failed:\n${p.output()}`);
}

/** Runs `fn` at a constant arrival rate (not waiting for earlier calls) for `ms`; resolves when every call settled. */
export async function atRate<T>(perSecond: number, ms: number, fn: (i: number) => Promise<T>): Promise<PromiseSettledResult<T>[]> {
  const calls: Promise<T>[] = [];
  const started = Date.now();
  const interval = 1000 / perSecond;
  for (let i = 0; Date.now() - started < ms; i++) {
    const due = started + i * interval;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    calls.push(fn(i));
  }
  return Promise.allSettled(calls);
}

/** A GraphQL call that throws on errors, with the errors' codes in the message. */
export async function must<T>(url: string, query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const res = await gql<T>(url, query, variables, token);
  if (res.errors?.length) {
    const err = new Error(res.errors.map((e) => `${e.extensions?.code}: ${e.message}`).join('; ')) as Error & { codes: string[]; retryable: boolean };
    err.codes = res.errors.map((e) => String(e.extensions?.code));
    err.retryable = res.errors.every((e) => e.extensions?.retryable === true);
    throw err;
  }
  return res.data as T;
}

/** Retries a call (same arguments, so the same idempotency key) until it answers, for up to `ms`. */
export async function withRetries<T>(fn: () => Promise<T>, ms = 60_000, onFailure?: (err: unknown) => void): Promise<T> {
  const deadline = Date.now() + ms;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      onFailure?.(err);
      if (Date.now() > deadline) throw err;
      await sleep(Math.min(100 * 2 ** attempt, 1_000));
    }
  }
}

export const ORDER = 'mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id number total status } }';
export const CHECKOUT = 'mutation($id: ID!, $i: CheckoutInput!) { checkout(orderId: $id, input: $i) { id status total } }';
export const LOOKUP = 'query($p: String!) { customerLookup(by: { phone: $p }) { id firstName stats { visitCount } } }';

export const key = () => randomUUID();

export { metric } from '../test/support/metrics.js';
