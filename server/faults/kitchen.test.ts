import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { killServerProcesses } from '../test/support/server-process.js';
import { startCluster, type Cluster } from '../test/support/cluster.js';
import { startTcpProxy } from '../test/support/tcp-proxy.js';
import { startProxy as startNginx } from '../test/support/nginx.js';
import { count, rows } from './db.js';

async function eventsOf(ticketIds: string[]) {
  return rows<{ id: string; type: string; status: string }>(
    `select id::text, type, ticket->>'status' as status from kitchen_event where ticket_id = any($1::uuid[]) order by id`,
    [ticketIds],
  );
}
import { atRate, key, metric, must, ORDER, withRetries } from './support.js';
import { inOrderWithoutDuplicates, KitchenScreen, serverBoard } from './screen.js';

afterAll(killServerProcesses);
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f().catch(() => undefined);
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CUT_MS = Number(process.env.FAULTS_OUTAGE_MS ?? 30_000);

async function menuItem(url: string, token: string, station: string): Promise<string> {
  const made = await must<{ createMenuItem: { id: string } }>(
    url,
    'mutation($i: MenuItemInput!) { createMenuItem(input: $i) { id } }',
    {
      i: {
        sku: `KF-${randomUUID().slice(0, 8)}`,
        name: `Fault dish ${randomUUID().slice(0, 6)}`,
        category: 'Faults',
        price: 700,
        station,
        allergens: [],
      },
    },
    token,
  );
  return made.createMenuItem.id;
}

/** Waits until a screen shows exactly the server's board; returns how long it took. */
async function caughtUp(screen: KitchenScreen, url: string, token: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const board = await serverBoard(url, token, screen.station);
    if (screen.state.cursor === board.cursor && JSON.stringify(screen.view()) === JSON.stringify(board.view))
      return Date.now() - started;
    if (Date.now() - started > timeoutMs) {
      const mine = new Set(screen.view());
      const theirs = new Set(board.view);
      const onlyScreen = [...mine].filter((x) => !theirs.has(x));
      const onlyServer = [...theirs].filter((x) => !mine.has(x));
      const ids = [...onlyScreen, ...onlyServer].map((x) => x.split(':')[0]!);
      const events = await eventsOf(ids);
      throw new Error(
        `screen at cursor ${screen.state.cursor} (${screen.view().length} tickets), server at ${board.cursor} (${board.view.length} tickets); ` +
          `only on the screen: ${onlyScreen.join(', ')}; only on the server: ${onlyServer.join(', ')}; their events: ${JSON.stringify(events)}; ` +
          `received near them: ${JSON.stringify(screen.received.filter((c) => events.some((e) => Math.abs(Number(e.id) - c) < 4)))}`,
      );
    }
    await sleep(20);
  }
}

describe('kitchen screens under faults', () => {
  // 3. A screen cut off for 30 s while 100 orders flow (and tickets change state), then restored.
  it(`a screen cut off for ${CUT_MS / 1000} s while 100 orders flow ends with exactly the database's tickets, in order, no duplicates, caught up within 2 s`, async () => {
    const c = await startCluster(1);
    cleanups.push(() => c.close());
    const [server] = c.instances as [Cluster['instances'][number]];
    const net = await startTcpProxy(Number(new URL(server.url).port));
    cleanups.push(() => net.close());
    const dish = await menuItem(server.url, c.tokens.MANAGER, 'grill');
    const screen = new KitchenScreen(net.url, net.url.replace('http', 'ws') + '/graphql', c.tokens.KITCHEN, 'grill');
    cleanups.push(() => screen.stop());
    await screen.start();

    const orders = 100;
    const lead = 3_000;
    const span = lead + CUT_MS + 4_000;
    const placed: string[] = [];
    const load = atRate(orders / (span / 1000), span, async () => {
      const o = await must<{ placeOrder: { id: string } }>(
        server.url,
        ORDER,
        { i: { idempotencyKey: key(), items: [{ menuItemId: dish, quantity: 1 }] } },
        c.tokens.SERVER,
      );
      placed.push(o.placeOrder.id);
    });
    // Meanwhile the line works: every third ticket started, every fifth bumped (and one recalled).
    let working = true;
    const line = (async () => {
      while (working) {
        const board = await must<{ kitchenBoard: { tickets: { id: string; status: string; orderNumber: number }[] } }>(
          server.url,
          'query { kitchenBoard(station: "grill") { tickets { id status orderNumber } } }',
          {},
          c.tokens.KITCHEN,
        );
        for (const t of board.kitchenBoard.tickets) {
          if (t.status === 'NEW' && t.orderNumber % 3 === 0)
            await must(
              server.url,
              'mutation($t: ID!) { startTicket(ticketId: $t) { id } }',
              { t: t.id },
              c.tokens.KITCHEN,
            );
          else if (t.orderNumber % 5 === 0) {
            await must(
              server.url,
              'mutation($t: ID!) { bumpTicket(ticketId: $t) { id } }',
              { t: t.id },
              c.tokens.KITCHEN,
            );
            if (t.orderNumber % 25 === 0)
              await must(
                server.url,
                'mutation($t: ID!) { recallTicket(ticketId: $t) { id } }',
                { t: t.id },
                c.tokens.KITCHEN,
              );
          }
        }
        await sleep(500);
      }
    })();

    await sleep(lead);
    expect(screen.connected).toBe(true);
    await net.cut();
    await sleep(CUT_MS);
    const atRestore = await serverBoard(server.url, c.tokens.KITCHEN, 'grill');
    await net.restore();
    const restoredAt = Date.now();
    // Caught up: the screen reaches everything that happened while it was away within 2 s.
    for (;;) {
      if (screen.state.cursor >= atRestore.cursor) break;
      if (Date.now() - restoredAt > 10_000)
        throw new Error(
          `not caught up 10 s after the network came back (cursor ${screen.state.cursor} < ${atRestore.cursor})`,
        );
      await sleep(10);
    }
    const catchUpMs = Date.now() - restoredAt;
    console.log(
      `[faults] kitchen screen caught up ${catchUpMs} ms after the network came back (${screen.reconnects} reconnect attempts)`,
    );
    expect(catchUpMs).toBeLessThanOrEqual(2_000);

    await load;
    working = false;
    await line;
    expect(placed.length).toBeGreaterThanOrEqual(orders - 1);
    await caughtUp(screen, server.url, c.tokens.KITCHEN, 5_000);
    expect(inOrderWithoutDuplicates(screen.received)).toBe(true);
    // Every order this test placed has its ticket in the database.
    expect(await count('kitchen_ticket', 'order_id = any($1::uuid[])', [placed])).toBe(placed.length);
  });

  // 4. Two instances behind nginx; the one holding screens is killed -9 while orders flow.
  it('an instance killed -9 mid-stream: its screens resume on the other from their cursor with no gap, and every acknowledged order is there', async () => {
    const c = await startCluster(2);
    cleanups.push(() => c.close());
    const nginx = await startNginx(c.instances.map((i) => new URL(i.url).host));
    cleanups.push(() => nginx.stop());
    const dish = await menuItem(nginx.url, c.tokens.MANAGER, 'fry');
    const screens = Array.from(
      { length: 6 },
      () => new KitchenScreen(nginx.url, nginx.url.replace('http', 'ws') + '/graphql', c.tokens.KITCHEN, 'fry'),
    );
    for (const s of screens) {
      cleanups.push(() => s.stop());
      await s.start();
    }
    await sleep(500);
    const perInstance = await Promise.all(c.instances.map((i) => metric(i.url, 'pos_websocket_connections')));
    const victim = perInstance[0]! >= perInstance[1]! ? 0 : 1;
    const survivor = c.instances[1 - victim]!;
    expect(perInstance[victim]).toBeGreaterThan(0);

    const acked: string[] = [];
    const failed: string[] = [];
    const load = atRate(10, 15_000, async () => {
      const input = { idempotencyKey: key(), items: [{ menuItemId: dish, quantity: 1 }] };
      try {
        // A client whose request died with the instance retries with the same key.
        const o = await withRetries(
          () => must<{ placeOrder: { id: string } }>(nginx.url, ORDER, { i: input }, c.tokens.SERVER),
          30_000,
        );
        acked.push(o.placeOrder.id);
      } catch (err) {
        failed.push(String(err));
      }
    });
    await sleep(5_000);
    c.instances[victim]!.process.child.kill('SIGKILL');
    await load;

    expect(failed).toEqual([]);
    expect(acked.length).toBeGreaterThan(140);
    expect(new Set(acked).size).toBe(acked.length);
    expect(await count('orders', 'id = any($1::uuid[])', [acked])).toBe(acked.length);
    expect(await count('kitchen_ticket', 'order_id = any($1::uuid[])', [acked])).toBe(acked.length);
    for (const s of screens) {
      await caughtUp(s, survivor.url, c.tokens.KITCHEN, 5_000);
      expect(inOrderWithoutDuplicates(s.received)).toBe(true);
    }
    expect(screens.reduce((n, s) => n + s.reconnects, 0)).toBeGreaterThanOrEqual(perInstance[victim]!);
  });
});
