import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { gql } from '../../server/test/support/http.js';
import { killServerProcesses } from '../../server/test/support/server-process.js';
import { launchChromium } from './browser.js';
import { startTcpProxy as startProxy } from '../../server/test/support/tcp-proxy.js';
import { createMenuItem, issueDevice, openScreen, SHOTS, startE2EServer } from './support.js';

const tag = randomUUID().slice(0, 6);
const station = `line${tag}`;

let browser: Browser;
let url: string;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let admin: string;
let device: string;
let burger: string;
let fries: string;

beforeAll(async () => {
  const server = await startE2EServer('kitchen');
  ({ url, admin } = server);
  // The screens reach the server through a proxy the tests can cut.
  proxy = await startProxy(server.port);
  device = await issueDevice(server, 'KITCHEN', 'line');
  burger = await createMenuItem(server, { name: `Burger ${tag}`, station, allergens: ['gluten', 'sesame'] });
  fries = await createMenuItem(server, { name: `Fries ${tag}`, station });
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  killServerProcesses();
});

async function kitchenPage(width: number, height: number): Promise<Page> {
  const page = await openScreen(browser, proxy.url, `/kitchen?station=${station}`, { kind: 'device', token: device }, { width, height });
  await page.getByTestId('tickets').waitFor();
  return page;
}

async function order(items: { menuItemId: string; quantity: number; notes?: string }[], extra: Record<string, unknown> = {}): Promise<number> {
  const res = await gql<{ placeOrder: { number: number } }>(url, 'mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { number } }', { i: { idempotencyKey: randomUUID(), table: '7', items, ...extra } }, admin);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.placeOrder.number;
}

const ticket = (page: Page, n: number) => page.locator(`[data-testid="ticket"][data-order="${n}"]`);

describe('the kitchen screen', () => {
  it('shows an order on its station within a second, with allergens; start, bump and recall work by touch', async () => {
    const page = await kitchenPage(1280, 800);
    const guest = (await gql<{ createCustomer: { id: string } }>(url, 'mutation { createCustomer(input: { firstName: "Maria", allergies: ["peanuts"] }) { id } }', {}, admin)).data!.createCustomer.id;
    const n = await order([{ menuItemId: burger, quantity: 2, notes: 'no bun' }, { menuItemId: fries, quantity: 1 }], { customerId: guest });
    await ticket(page, n).waitFor({ timeout: 1_000 });
    await expect(ticket(page, n).getByTestId('guest-allergies').textContent()).resolves.toContain('Maria: PEANUTS');
    await expect(ticket(page, n).getByTestId('allergens').textContent()).resolves.toContain('gluten, sesame');
    await expect(ticket(page, n).textContent()).resolves.toContain('no bun');
    await expect(page.getByTestId('all-day').textContent()).resolves.toContain(`Burger ${tag}`);

    await ticket(page, n).getByTestId('start').click();
    await page.waitForSelector(`[data-testid="ticket"][data-order="${n}"][data-status="IN_PROGRESS"]`, { timeout: 3_000 });
    await ticket(page, n).getByTestId('bump').click();
    await ticket(page, n).waitFor({ state: 'detached', timeout: 3_000 });
    await page.getByTestId('bumped').getByText(`#${n}`).waitFor();
    await page.getByTestId('bumped').getByTestId('recall').first().click();
    await page.waitForSelector(`[data-testid="ticket"][data-order="${n}"][data-status="READY"]`, { timeout: 3_000 });
    await ticket(page, n).getByTestId('bump').click();
    await ticket(page, n).waitFor({ state: 'detached', timeout: 3_000 });
    await page.context().close();
  });

  it('shows reconnecting when its network drops, then the tickets created meanwhile, with no duplicate', { timeout: 60_000 }, async () => {
    const page = await kitchenPage(1280, 800);
    const before = await order([{ menuItemId: fries, quantity: 1 }]);
    await ticket(page, before).waitFor({ timeout: 2_000 });
    await proxy.cut();
    await page.waitForSelector('[data-testid="connection-state"][data-state="reconnecting"]', { timeout: 10_000 });
    const during = [await order([{ menuItemId: burger, quantity: 1 }]), await order([{ menuItemId: fries, quantity: 3 }])];
    await proxy.restore();
    await page.waitForSelector('[data-testid="connection-state"][data-state="live"]', { timeout: 20_000 });
    for (const n of during) await ticket(page, n).waitFor({ timeout: 5_000 });
    for (const n of [before, ...during]) await expect(ticket(page, n).count()).resolves.toBe(1);
    await page.context().close();
  });

  it('fits twelve tickets without scrolling at 1920x1080 and 1280x800 (screenshots saved)', { timeout: 60_000 }, async () => {
    // Clear the station, then twelve fresh orders.
    const board = await gql<{ kitchenBoard: { tickets: { id: string }[] } }>(url, 'query($s: String) { kitchenBoard(station: $s) { tickets { id } } }', { s: station }, device);
    for (const t of board.data!.kitchenBoard.tickets) await gql(url, 'mutation($id: ID!) { bumpTicket(ticketId: $id) { id } }', { id: t.id }, device);
    for (let i = 0; i < 12; i++) await order([{ menuItemId: burger, quantity: 1 + (i % 3) }, { menuItemId: fries, quantity: 1 }]);
    for (const [w, h] of [
      [1920, 1080],
      [1280, 800],
    ]) {
      const page = await kitchenPage(w!, h!);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="ticket"]').length === 12, undefined, { timeout: 5_000 });
      const boxes = await page.locator('[data-testid="ticket"]').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()));
      for (const b of boxes) {
        expect(b.bottom, `${w}x${h}`).toBeLessThanOrEqual(h!);
        expect(b.right, `${w}x${h}`).toBeLessThanOrEqual(w!);
        expect(b.height, `${w}x${h}`).toBeGreaterThan(120);
      }
      await page.screenshot({ path: `${SHOTS}kitchen-${w}x${h}.png` });
      await page.context().close();
    }
  });
});
