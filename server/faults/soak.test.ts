import { afterAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { killServerProcesses } from '../test/support/server-process.js';
import { startCluster } from '../test/support/cluster.js';
import { atRate, CHECKOUT, key, LOOKUP, metric, must, ORDER } from './support.js';
import { heapSnapshotArgs, liveHeapBytes } from '../bench/lib/proc.mjs';

afterAll(killServerProcesses);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SOAK_S = Number(process.env.FAULTS_SOAK_SECONDS ?? 600);
const SCREENS = Number(process.env.FAULTS_SOAK_SCREENS ?? 100);

// 6. Mixed load for SOAK_S seconds: lookups, orders, screens connecting and disconnecting.
describe(`soak: ${SOAK_S} s of mixed load`, () => {
  it('keeps RSS and heap stable, leaks no handles, and returns subscriber counts to the baseline', { timeout: SOAK_S * 1000 + 240_000 }, async () => {
    // The server writes a heap snapshot on SIGUSR2: a full collection first, so its size is the live heap.
    const snapshots = mkdtempSync(join(tmpdir(), 'soak-heap-'));
    const c = await startCluster(1, { RATE_LIMIT_LOOKUP_POINTS: '1000000', NODE_OPTIONS: heapSnapshotArgs(snapshots).join(' ') });
    const [server] = c.instances;
    const url = server!.url;
    try {
      const dish = (
        await must<{ createMenuItem: { id: string } }>(url, 'mutation($i: MenuItemInput!) { createMenuItem(input: $i) { id } }', {
          i: { sku: `SK-${randomUUID().slice(0, 8)}`, name: `Soak dish ${randomUUID().slice(0, 4)}`, category: 'Faults', price: 1_200, station: 'grill', allergens: [] },
        }, c.tokens.MANAGER)
      ).createMenuItem.id;
      const guests: { id: string; phone: string }[] = [];
      for (let i = 0; i < 30; i++) {
        const phone = `+1917555${String(1000 + i)}`;
        guests.push({ phone, id: (await must<{ createCustomer: { id: string } }>(url, 'mutation($i: CustomerInput!) { createCustomer(input: $i) { id } }', { i: { firstName: `Soak${i}`, phone } }, c.tokens.MANAGER)).createCustomer.id });
      }
      const baseline = {
        handles: await metric(url, 'nodejs_active_handles_total'),
        subscriptions: await metric(url, 'pos_subscriptions_active'),
        sockets: await metric(url, 'pos_websocket_connections'),
      };

      // Screens: each connects, subscribes to its station, stays 5-20 s, leaves, and comes back.
      let running = true;
      const open = new Set<Client>();
      const screen = async (n: number) => {
        while (running) {
          const client = createClient({ url: server!.wsUrl, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, connectionParams: { authorization: `Bearer ${c.tokens.KITCHEN}` }, onNonLazyError: () => undefined });
          open.add(client);
          client.subscribe({ query: `subscription { kitchenEvents(station: "${n % 2 ? 'grill' : 'bar'}") { cursor } }` }, { next: () => undefined, error: () => undefined, complete: () => undefined });
          await sleep(5_000 + Math.random() * 15_000);
          await client.dispose();
          open.delete(client);
          await sleep(Math.random() * 2_000);
        }
      };
      const screens = Array.from({ length: SCREENS }, (_, n) => sleep(Math.random() * 3_000).then(() => screen(n)));

      const errors: string[] = [];
      const ms = SOAK_S * 1000;
      // Paused only while the server writes a heap snapshot (it stops the world for seconds).
      let paused = false;
      const orders = atRate(4, ms, async (n) => {
        if (paused) return;
        try {
          const g = guests[n % guests.length]!;
          const o = await must<{ placeOrder: { id: string; total: number } }>(url, ORDER, { i: { idempotencyKey: key(), customerId: g.id, items: [{ menuItemId: dish, quantity: 1 }] } }, c.tokens.SERVER);
          await must(url, CHECKOUT, { id: o.placeOrder.id, i: { idempotencyKey: key(), payments: [{ method: 'CARD', amount: o.placeOrder.total }] } }, c.tokens.SERVER);
        } catch (err) {
          errors.push(String(err));
        }
      });
      const lookups = atRate(20, ms, async (n) => {
        if (paused) return;
        try {
          await must(url, LOOKUP, { p: guests[n % guests.length]!.phone }, c.tokens.SERVER);
        } catch (err) {
          errors.push(String(err));
        }
      });

      // Samples every 5 s after a warm-up of a fifth of the run; the live heap after the warm-up and
      // again near the end, both under the same load.
      const samples: { at: number; rss: number; heap: number; heapTotal: number; external: number }[] = [];
      const started = Date.now();
      const live: number[] = [];
      while (Date.now() - started < ms) {
        await sleep(5_000);
        if (Date.now() - started < ms / 5) continue;
        if (live.length === 0 || (live.length === 1 && Date.now() - started > ms - 30_000)) {
          // Requests stop first and resume only when the server has caught up with its timers
          // (idle keep-alive sockets it closes late would otherwise race new requests).
          paused = true;
          await sleep(1_000);
          // The live heap: a heap snapshot (after a full collection), summed (bench/lib/proc.mjs).
          live.push(await liveHeapBytes({ name: 'server', child: server!.process.child, pid: server!.process.child.pid }, snapshots));
          await sleep(2_000);
          paused = false;
        }
        samples.push({
          at: Date.now() - started,
          rss: await metric(url, 'process_resident_memory_bytes'),
          heap: await metric(url, 'nodejs_heap_size_used_bytes'),
          heapTotal: await metric(url, 'nodejs_heap_size_total_bytes'),
          external: await metric(url, 'nodejs_external_memory_bytes'),
        });
      }
      await Promise.all([orders, lookups]);
      running = false;
      await Promise.all(screens);
      await Promise.all([...open].map((cl) => cl.dispose()));
      await sleep(2_000);

      expect(errors.slice(0, 5)).toEqual([]);
      const window = Math.max(3, Math.floor(samples.length / 4));
      const first = samples.slice(0, window);
      const last = samples.slice(-window);
      // RSS and heap: the lowest of each window (the troughs after collections). Between two major
      // collections V8 lets garbage pile up (heap used swung 63-210 MB, RSS 247-361 MB, on a live
      // heap of about 60 MB in a 10-minute run here), so a median compares points of the GC cycle;
      // a leak raises the troughs. The live heap from the two snapshots is the direct measure.
      const rssDrift = Math.min(...last.map((s) => s.rss)) / Math.min(...first.map((s) => s.rss)) - 1;
      const heapDrift = Math.min(...last.map((s) => s.heap)) / Math.min(...first.map((s) => s.heap)) - 1;
      const liveDrift = live[1]! / live[0]! - 1;
      const end = {
        handles: await metric(url, 'nodejs_active_handles_total'),
        subscriptions: await metric(url, 'pos_subscriptions_active'),
        sockets: await metric(url, 'pos_websocket_connections'),
      };
      console.log(
        `[faults] soak ${SOAK_S} s, ${SCREENS} screens: RSS drift ${(rssDrift * 100).toFixed(1)} %, heap drift ${(heapDrift * 100).toFixed(1)} %, ` +
          `live heap ${(live[0]! / 2 ** 20).toFixed(1)} -> ${(live[1]! / 2 ** 20).toFixed(1)} MB (${(liveDrift * 100).toFixed(1)} %), ` +
          `handles ${baseline.handles} -> ${end.handles}, subscriptions ${baseline.subscriptions} -> ${end.subscriptions}, sockets ${baseline.sockets} -> ${end.sockets}`,
      );
      // The series, one line per minute, so a failed run says where memory went (V8 heap or native).
      const mb = (b: number) => (b / 2 ** 20).toFixed(0);
      for (const x of samples.filter((_, i) => i % 12 === 0 || i === samples.length - 1)) {
        console.log(`[faults] soak t=${(x.at / 1000).toFixed(0)} s: RSS ${mb(x.rss)} MB, heap used ${mb(x.heap)} MB of ${mb(x.heapTotal)} MB, external ${mb(x.external)} MB`);
      }
      expect(rssDrift).toBeLessThan(0.1);
      expect(heapDrift).toBeLessThan(0.1);
      expect(liveDrift).toBeLessThan(0.1);
      expect(end.subscriptions).toBe(baseline.subscriptions);
      expect(end.sockets).toBe(baseline.sockets);
      expect(end.handles).toBeLessThanOrEqual(baseline.handles + 2);
    } finally {
      await c.close();
      rmSync(snapshots, { recursive: true, force: true });
    }
  });
});
