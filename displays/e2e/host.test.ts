import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { gql, TEST_TOKEN_SECRET } from '../../server/test/support/http.js';
import '../../server/test/support/provided.js';
import { freePort } from '../../server/test/support/ports.js';
import { killServerProcesses, startServerProcess } from '../../server/test/support/server-process.js';
import { launchChromium } from './browser.js';

const DIST = fileURLToPath(new URL('../dist', import.meta.url));
const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const ADMIN = { email: 'host-e2e-admin@test.pos', password: 'host-e2e-password' };

let browser: Browser;
let url: string;
let admin: string;
let device: string;

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  await startServerProcess({
    DATABASE_URL: inject('databaseUrl'),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    TOKEN_SECRET: TEST_TOKEN_SECRET,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    DISPLAYS_DIR: DIST,
  }).ready;
  admin = (await gql<{ login: { token: string } }>(url, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', { e: ADMIN.email, p: ADMIN.password })).data!.login.token;
  device = (await gql<{ issueDeviceToken: string }>(url, 'mutation { issueDeviceToken(role: HOST, name: "stand") }', {}, admin)).data!.issueDeviceToken;
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  killServerProcesses();
});

async function hostPage(): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1180, height: 820 } })).newPage();
  await page.goto(`${url}/host`);
  await page.evaluate((t) => localStorage.setItem('pos.credential', JSON.stringify({ kind: 'device', token: t, label: 'host stand' })), device);
  await page.reload();
  await page.waitForSelector('[data-testid="connection-state"][data-state="live"]', { timeout: 10_000 });
  return page;
}

describe('the host stand', () => {
  it('checks a regular in from the form and greets them on a second host page, with their usual', { timeout: 60_000 }, async () => {
    const phone = `+1415555${String(Math.floor(Math.random() * 9000) + 1000)}`;
    const item = (await gql<{ createMenuItem: { id: string } }>(url, 'mutation($i: MenuItemInput!) { createMenuItem(input: $i) { id } }', { i: { sku: `H-${randomUUID().slice(0, 8)}`, name: 'Margherita', category: 'Mains', price: 1400, station: 'grill' } }, admin)).data!.createMenuItem.id;
    const guest = (await gql<{ createCustomer: { id: string } }>(url, 'mutation($p: String!) { createCustomer(input: { firstName: "Maria", phone: $p, allergies: ["peanuts"] }) { id } }', { p: phone }, admin)).data!.createCustomer.id;
    for (let i = 0; i < 5; i++) {
      const o = await gql<{ placeOrder: { id: string; total: number } }>(url, 'mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id total } }', { i: { idempotencyKey: randomUUID(), customerId: guest, items: [{ menuItemId: item, quantity: 1 }], sendToKitchen: false } }, admin);
      await gql(url, 'mutation($id: ID!, $i: CheckoutInput!) { checkout(orderId: $id, input: $i) { id } }', { id: o.data!.placeOrder.id, i: { idempotencyKey: randomUUID(), payments: [{ method: 'CARD', amount: o.data!.placeOrder.total }] } }, admin);
    }
    const [a, b] = [await hostPage(), await hostPage()];
    await a.locator('input[name="guestKey"]').fill(`(${phone.slice(2, 5)}) ${phone.slice(5, 8)}-${phone.slice(8)}`);
    await a.locator('input[name="partySize"]').fill('3');
    await a.getByRole('button', { name: 'Check in' }).click();
    for (const page of [a, b]) {
      const card = page.locator(`[data-testid="greeting"][data-customer="${guest}"]`);
      await card.waitFor({ timeout: 3_000 });
      await expect(card.getByTestId('greeting-message').textContent()).resolves.toBe('Welcome back, Maria! Your usual: Margherita.');
      await expect(card.textContent()).resolves.toMatch(/party of 3[\s\S]*Allergies: peanuts[\s\S]*5 visits/);
      await expect(card.getAttribute('class')).resolves.toContain('regular');
    }
    await b.screenshot({ path: `${SHOTS}host-1180x820.png` });
    await a.context().close();
    await b.context().close();
  });

  it('says when a guest is unknown and creates them in place', { timeout: 30_000 }, async () => {
    const page = await hostPage();
    const email = `new-${randomUUID().slice(0, 6)}@example.com`;
    await page.locator('input[name="guestKey"]').fill(email);
    await page.getByRole('button', { name: 'Check in' }).click();
    await expect(page.getByTestId('check-in-message').textContent()).resolves.toMatch(/No guest found/);
    await page.locator('input[name="firstName"]').fill('Nia');
    await page.getByTestId('create-guest').click();
    await page.getByTestId('greeting-message').filter({ hasText: "Welcome, Nia! So glad you're joining us for the first time." }).waitFor({ timeout: 3_000 });
    await page.context().close();
  });
});
