#!/usr/bin/env node
// `node scripts/build-if-stale.mjs [server] [displays]`: builds each package only when its
// output is missing or older than a source file, so a second `pnpm start` is ready in
// seconds and never runs stale code. A successful build writes a stamp file in its output.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = '.build-stamp';

const targets = {
  server: {
    dir: join(root, 'server'),
    out: join(root, 'server', 'dist'),
    sources: ['server/src', 'server/tsconfig.json', 'server/tsconfig.build.json', 'server/package.json', 'tsconfig.json'],
    command: () => [createRequire(join(root, 'server', 'package.json')).resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  },
  displays: {
    dir: join(root, 'displays'),
    out: join(root, 'displays', 'dist'),
    sources: ['displays/src', 'displays/public', 'displays/index.html', 'displays/vite.config.ts', 'displays/package.json', 'displays/tsconfig.json'],
    command: () => [join(dirname(createRequire(join(root, 'displays', 'package.json')).resolve('vite/package.json')), 'bin', 'vite.js'), 'build', '--logLevel', 'warn'],
  },
};

function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function isStale(name) {
  const t = targets[name];
  const stamp = join(t.out, STAMP);
  if (!existsSync(stamp)) return true;
  const sources = t.sources.map((p) => join(root, p)).filter(existsSync);
  return Math.max(...sources.map(newestMtime)) > statSync(stamp).mtimeMs;
}

/** Builds the named package when stale; returns true when it built. Throws when the build fails. */
export function buildIfStale(name) {
  if (!isStale(name)) return false;
  const t = targets[name];
  const res = spawnSync(process.execPath, t.command(), { cwd: t.dir, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`building ${name} failed (exit ${res.status})`);
  writeFileSync(join(t.out, STAMP), new Date().toISOString() + '\n');
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(targets);
  for (const name of names) {
    if (!targets[name]) {
      console.error(`unknown package ${name}; expected one of ${Object.keys(targets).join(', ')}`);
      process.exit(2);
    }
    try {
      console.log(buildIfStale(name) ? `${name}: built` : `${name}: up to date`);
    } catch (err) {
      console.error(err.message);
      process.exit(1);
    }
  }
}
