import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

export const NGINX_CONF = fileURLToPath(new URL('../../../deploy/nginx.conf', import.meta.url));

/** Debian's nginx (`apt-get install nginx-light`); NGINX_PATH overrides. */
export function findNginx(): string {
  const candidates = [process.env.NGINX_PATH, '/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'].filter(Boolean) as string[];
  const onPath = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).stdout.trim();
  const found = [...candidates, onPath].find((p) => p && existsSync(p));
  if (!found) throw new Error('nginx not found: install it (apt-get install nginx-light) or set NGINX_PATH. The deploy test runs the production proxy config with it.');
  return found;
}

const TEMP_PATHS = ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'];

export interface Proxy {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * deploy/nginx.conf (the file docker-compose.yml mounts) in front of the given upstreams, with only
 * the compose service names, the listen port and the writable paths replaced for a local run.
 */
export async function startProxy(upstreams: string[]): Promise<Proxy> {
  const nginx = findNginx();
  const dir = mkdtempSync(join(tmpdir(), 'pos-nginx-'));
  chmodSync(dir, 0o755);
  // Workers run as an unprivileged user when nginx starts as root: they must be able to write the temp paths.
  for (const sub of TEMP_PATHS) {
    mkdirSync(join(dir, sub));
    chmodSync(join(dir, sub), 0o777);
  }
  const port = await freePort();
  let site = readFileSync(NGINX_CONF, 'utf8');
  const names = [...site.matchAll(/^\s*server (server-\d+:4000)/gm)].map((m) => m[1]!);
  if (names.length !== upstreams.length) throw new Error(`deploy/nginx.conf names ${names.length} upstreams, the test has ${upstreams.length}`);
  names.forEach((name, i) => (site = site.replace(name, upstreams[i]!)));
  if (!/^\s*listen 80;$/m.test(site)) throw new Error('deploy/nginx.conf no longer listens on port 80');
  site = site.replace(/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${port};`);
  writeFileSync(join(dir, 'site.conf'), site);
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '  access_log off;',
      ...TEMP_PATHS.map((s) => `  ${s === 'body' ? 'client_body' : s}_temp_path ${join(dir, s)};`),
      `  include ${join(dir, 'site.conf')};`,
      '}',
      '',
    ].join('\n'),
  );
  const check = spawnSync(nginx, ['-t', '-q', '-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx rejects the config: ${check.stderr}`);
  const child = spawn(nginx, ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await fetch(`${url}/healthz`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx did not answer on ${url}: ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    port,
    child,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM'); // fast shutdown: a graceful one waits for open websockets
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
