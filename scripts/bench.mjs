#!/usr/bin/env node
// `pnpm bench [--requests N] [--rounds R]`: benchmarks the running product against baselines
// started side by side in the same run, interleaved after a warm-up. Load comes from this
// process over loopback; the server and baselines are separate processes. Prints medians,
// p99 and ratios, and writes them as JSON under server/bench/results/.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const requireServer = createRequire(join(root, 'server', 'package.json'));
const { values } = parseArgs({ options: { requests: { type: 'string', default: '400' }, rounds: { type: 'string', default: '5' } } });
const perRound = Number(values.requests);
const rounds = Number(values.rounds);
const children = [];

function startProcess(args, env) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /ready\S*\s.*?(http:\/\/[\w.:]+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

async function post(url, body, token) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (json.errors) throw new Error(JSON.stringify(json.errors));
  return json;
}

/** Latencies in ms of `n` sequential requests (one in flight). */
async function measure(fn, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

const pg = requireServer('pg');
const baseUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@localhost:5432/postgres');
const database = `pos_bench_${Date.now().toString(36)}`;
const admin = new pg.Client({ connectionString: baseUrl.toString() });
await admin.connect();
await admin.query(`CREATE DATABASE "${database}"`);
const dbUrl = new URL(baseUrl.toString());
dbUrl.pathname = `/${database}`;

try {
  const env = { DATABASE_URL: dbUrl.toString(), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', SEED_DEMO: 'true' };
  const server = await startProcess(['server/dist/main.js', 'serve'], env);
  const baseline = await startProcess(['server/bench/baseline-menu.mjs'], env);
  const login = await post(`${server.url}/graphql`, {
    query: 'mutation { login(email: "manager@demo.pos", password: "demo-pass-123") { token } }',
  });
  const token = login.data.login.token;
  const query = { query: '{ menu { id sku name category price station allergens stock available } }' };
  const workloads = {
    'menu via GraphQL (product)': () => post(`${server.url}/graphql`, query, token),
    'menu via node:http + pg (baseline)': () => post(baseline.url, {}),
  };
  for (const fn of Object.values(workloads)) await measure(fn, 100); // warm-up
  const samples = Object.fromEntries(Object.keys(workloads).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(workloads)) samples[name].push(...(await measure(fn, perRound)));
  }
  const rows = Object.entries(samples).map(([name, xs]) => ({ name, n: xs.length, medianMs: pct(xs, 50), p99Ms: pct(xs, 99) }));
  const [product, base] = rows;
  const ratio = { medianLatency: product.medianMs / base.medianMs, p99Latency: product.p99Ms / base.p99Ms };
  console.log('\nworkload                                   n     median ms   p99 ms');
  for (const r of rows) console.log(`${r.name.padEnd(42)} ${String(r.n).padEnd(5)} ${r.medianMs.toFixed(3).padStart(9)} ${r.p99Ms.toFixed(3).padStart(8)}`);
  console.log(`\nratio product/baseline: median ${ratio.medianLatency.toFixed(2)}x, p99 ${ratio.p99Latency.toFixed(2)}x (one request in flight, ${rounds} interleaved rounds)`);
  const dir = join(root, 'server', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), rounds, perRound, rows, ratio }, null, 2));
  console.log(`written ${file}`);
} finally {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.end();
}
