import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import './support/provided.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pos-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `scripts/bench.mjs` as `pnpm bench` would, with this run's PostgreSQL and Redis. */
function bench(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/bench.mjs', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: inject('databaseUrl'), REDIS_URL: inject('redisUrl') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('pnpm bench (smoke run: tiny sizes, a few requests; no timing bars asserted)', () => {
  it('runs every workload against its baselines and reports a table, the bars and JSON', { timeout: 120_000 }, async () => {
    const file = join(dir, 'smoke.json');
    const { code, out } = await bench(['--smoke', '--customers', '120,240', '--out', file]);
    expect(code, out).toBe(0);
    expect(out).toMatch(/workload\s+guests\s+variant\s+target\s+n\s+median ms\s+p99 ms\s+server median\s+server p99/);
    expect(out).toContain('ratio product/graphql-js+ioredis');

    const report = JSON.parse(readFileSync(file, 'utf8'));
    const workloads = new Set(report.results.map((r: { workload: string }) => r.workload));
    expect([...workloads].sort()).toEqual(['W1', 'W2', 'W4', 'W5', 'W6']);
    expect(new Set(report.bars.map((b: { workload: string }) => b.workload))).toEqual(new Set(['W1', 'W2', 'W3', 'W4', 'W5', 'W6']));
    expect(report.results.filter((r: { workload: string }) => r.workload === 'W1').map((r: { size: number }) => r.size)).toEqual([120, 240]);

    const baselineOf: Record<string, string> = { W1: 'graphql-js+ioredis', W2: 'raw pg', W5: 'raw ws', W6: 'graphql-js+pg' };
    for (const r of report.results) {
      const names = Object.keys(r.targets);
      if (baselineOf[r.workload]) expect(names, r.variant).toEqual(['product', baselineOf[r.workload]]);
      for (const [name, t] of Object.entries<Record<string, number | null>>(r.targets)) {
        const where = `${r.workload} ${r.variant} ${name}`;
        expect(t.n, where).toBeGreaterThan(0);
        expect(t.medianMs, where).toBeGreaterThan(0);
        expect(t.p99Ms!, where).toBeGreaterThanOrEqual(t.medianMs!);
        expect(t.medianMs!, where).toBeLessThan(30_000);
        expect(t.ops, where).toBeGreaterThanOrEqual(t.n!);
        expect(t.cpuSecPer1kOps, where).not.toBeNull();
        expect(t.rssMB!, where).toBeGreaterThan(10);
        // A phase shorter than the 10 ms sampling interval has no loop-delay sample (null), never a negative one.
        if (t.eventLoopP99Ms !== null) expect(t.eventLoopP99Ms, where).toBeGreaterThanOrEqual(0);
        if (r.workload === 'W1' || r.workload === 'W6') expect(t.throughputPerS!, where).toBeGreaterThan(0);
        // One-in-flight workloads also record each side's own time per request (Server-Timing),
        // which cannot exceed what the load generator saw.
        if (['W1', 'W2', 'W6'].includes(r.workload)) {
          expect(t.serverMedianMs, where).toBeGreaterThan(0);
          expect(t.serverMedianMs!, where).toBeLessThanOrEqual(t.medianMs!);
          expect(t.serverP99Ms!, where).toBeGreaterThanOrEqual(t.serverMedianMs!);
          expect(t.serverP99Ms!, where).toBeLessThanOrEqual(t.p99Ms! + 1);
        }
      }
    }
    const baselineLoop = report.results.flatMap((r: { workload: string; targets: Record<string, { eventLoopP99Ms: number | null }> }) =>
      baselineOf[r.workload] ? [r.targets[baselineOf[r.workload]!]!.eventLoopP99Ms] : [],
    );
    expect(baselineLoop.some((x: number | null) => x !== null && x > 0), 'baselines report their event-loop delay').toBe(true);
    // W4's warm-up at the measured rate is reported on its own row, before the measured phase, and judged by no bar.
    const w4Rows = report.results.filter((r: { variant: string }) => r.variant.startsWith('placeOrder + checkout'));
    expect(w4Rows.map((r: { warmup?: boolean }) => Boolean(r.warmup))).toEqual([true, false]);
    expect(w4Rows[0].targets.product.n).toBeGreaterThan(0);
    expect(report.bars.filter((b: { workload: string }) => b.workload === 'W4').map((b: { bar: string }) => b.bar)).toEqual([
      '>= 200 orders/s sustained',
      'p99 <= 25 ms at that rate',
      'checkout cost constant from 5 to 500 past orders',
    ]);
    const w4 = w4Rows[1].targets.product;
    expect(w4.errors).toBe(0);
    expect(w4.completed).toBe(w4.sent);
    // Where the machine's CPU went per order: each part measured, and the parts within the whole.
    const cpu = w4.cpuMsPerOrder;
    for (const part of ['machine', 'product', 'postgres', 'loadGenerator']) expect(cpu[part], part).toBeGreaterThan(0);
    expect(cpu.product + cpu.postgres + cpu.loadGenerator).toBeLessThanOrEqual(cpu.machine * 1.25 + 1);
    expect(w4.machineBusyPct).toBeGreaterThan(0);
    expect(w4.machineBusyPct).toBeLessThanOrEqual(100);
    // What PostgreSQL wrote, and how many of the guest-row updates were HOT (counts reported late: null when none yet).
    expect(w4.wal.bytesPerOrder).toBeGreaterThan(0);
    expect(w4.wal.customerUpdates).toBeGreaterThanOrEqual(0);
    if (w4.wal.customerUpdates > 0) expect(w4.wal.customerHotPct).toBeGreaterThanOrEqual(0);
    if (w4.wal.customerUpdates > 0) expect(w4.wal.customerHotPct).toBeLessThanOrEqual(100);
    // Where the slowest 1 % of orders spent their time: the parts measured, and within the whole.
    const slow = w4.slowest;
    expect(slow.orders).toBeGreaterThanOrEqual(1);
    expect(slow.episodes).toBeGreaterThanOrEqual(1);
    expect(slow.episodes).toBeLessThanOrEqual(slow.orders);
    for (const part of ['placeServerMs', 'checkoutServerMs']) expect(slow[part], part).toBeGreaterThan(0);
    // The open loop sends an order up to 1 ms before it is due rather than sleep less than that.
    expect(slow.lateMs).toBeGreaterThan(-2);
    expect(slow.medianMs).toBeGreaterThanOrEqual(slow.fromMs);
    expect(slow.placeServerMs + slow.checkoutServerMs).toBeLessThanOrEqual(slow.medianMs * 2);
    for (const r of report.results.filter((x: { workload: string }) => x.workload === 'W5')) {
      for (const t of Object.values<Record<string, number>>(r.targets)) {
        expect(t.deliveredPct).toBe(100);
        // Live heap from heap snapshots (a few screens here: the sign is noise, the size is not).
        expect(Number.isFinite(t.memoryPerScreenKB)).toBe(true);
        expect(Math.abs(t.memoryPerScreenKB)).toBeLessThan(1024);
        expect(t.rssPerScreenKB).not.toBeNull();
      }
      // placeOrder's own cost, measured on orders no screen hears, in rounds between the delivering ones.
      const product = r.targets.product as Record<string, number>;
      expect(product.unheardOrders).toBe(product.events);
      expect(product.placeOrderCpuMs).toBeGreaterThan(0);
      expect(product.fanoutCpuMsPerDelivered).toBeLessThanOrEqual(product.cpuMsPerDelivered);
    }
    expect(report.results.filter((r: { workload: string }) => r.workload === 'W6').map((r: { openTickets: number }) => r.openTickets)).toEqual([5, 20]);
  });

  it('measures the serial section of placeOrder with and without its two locks (lock-ceiling.mjs)', { timeout: 60_000 }, async () => {
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ['server/bench/lock-ceiling.mjs', '--clients', '2', '--seconds', '0.5', '--rounds', '1'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: inject('databaseUrl') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (d) => (text += String(d)));
      child.stderr.on('data', (d) => (text += String(d)));
      child.on('exit', (c) => resolve({ code: c, out: text }));
    });
    expect(code, out).toBe(0);
    const m = /2 clients: with the two locks (\d+) commits\/s, without (\d+) commits\/s/.exec(out);
    expect(m, out).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(Number(m![2])).toBeGreaterThan(0);
  });

  it('refuses an unknown workload before it touches anything', async () => {
    const { code, out } = await bench(['--only', 'W9']);
    expect(code).not.toBe(0);
    expect(out).toContain('unknown workload W9');
  });
});
