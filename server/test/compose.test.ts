import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COMPOSE = process.env.DOCKER_COMPOSE ?? 'docker-compose';

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

describe('docker-compose.yml', () => {
  it('is valid and wires the server to PostgreSQL and Redis', () => {
    const res = compose(['config'], { TOKEN_SECRET: 'x'.repeat(40) });
    expect(res.stderr).not.toMatch(/error/i);
    expect(res.status).toBe(0);
    expect(compose(['config', '--services'], { TOKEN_SECRET: 'x'.repeat(40) }).stdout.split('\n').filter(Boolean).sort()).toEqual([
      'postgres',
      'redis',
      'server',
    ]);
    expect(res.stdout).toContain('DATABASE_URL: postgres://pos:pos@postgres:5432/pos');
    expect(res.stdout).toContain('REDIS_URL: redis://redis:6379');
    expect(res.stdout).toContain('NODE_ENV: production');
  });

  it('refuses to render without a TOKEN_SECRET, so production never runs on the development default', () => {
    const res = compose(['config', '-q']);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('TOKEN_SECRET');
  });

  it('builds an image that runs as a non-root user and serves the displays', () => {
    const dockerfile = readFileSync(`${ROOT}/Dockerfile`, 'utf8');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages.length).toBeGreaterThanOrEqual(3);
    const runtime = stages.at(-1)!;
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toContain('DISPLAYS_DIR=/app/displays/dist');
    expect(runtime).toMatch(/CMD \["node", "server\/dist\/main.js", "serve"\]/);
  });
});
