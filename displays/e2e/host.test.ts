import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { gql } from '../../server/test/support/http.js';
import { killServerProcesses } from '../../server/test/support/server-process.js';
import { launchChromium } from './browser.js';
import { issueDevice, openScreen, SHOTS, startE2EServer } from './support.js';

let browser: Browser;
let url: string;
let admin: string;
let device: string;

beforeAll(async () => {
  const server = await startE2EServer('host');
  ({ url, admin } = server);
  device = await issueDevice(server, 'HOST', 'stand');
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  killServerProcesses();
});

function hostPage(): Promise<Page> {
  return openScreen(browser, url, '/host', { kind: 'device', token: device }, { width: 1180, height: 820 });
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
