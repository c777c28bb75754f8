import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { gql } from '../../server/test/support/http.js';
import { killServerProcesses } from '../../server/test/support/server-process.js';
import { launchChromium } from './browser.js';
import { createMenuItem, issueDevice, openScreen, SHOTS, startE2EServer } from './support.js';

const tag = randomUUID().slice(0, 6);
const station = `reg${tag}`;

let browser: Browser;
let url: string;
let admin: string;
let server: string;
let kitchen: string;
let pasta: string;
let special: string;

beforeAll(async () => {
  const app = await startE2EServer('register', { TAX_RATE_BPS: '1000' });
  ({ url, admin } = app);
  const serverEmail = `server-${tag}@test.pos`;
  await gql(url, 'mutation($e: String!) { createStaff(input: { name: "Sam", email: $e, password: "server-password", role: SERVER }) { id } }', { e: serverEmail }, admin);
  server = (await gql<{ login: { token: string } }>(url, 'mutation($e: String!) { login(email: $e, password: "server-password") { token } }', { e: serverEmail })).data!.login.token;
  kitchen = await issueDevice(app, 'KITCHEN', 'reg-line');
  pasta = await createMenuItem(app, { name: `Pasta ${tag}`, category: `Test ${tag}`, price: 1_800, station });
  special = await createMenuItem(app, { name: `Special ${tag}`, category: `Test ${tag}`, price: 2_400, station, stock: 5 });
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  killServerProcesses();
});

function open(path: string, token: string, kind: 'staff' | 'device'): Promise<Page> {
  return openScreen(browser, url, path, { kind, token });
}

describe('the register', () => {
  it("greys out an item the moment it is 86'd", async () => {
    const page = await open('/register', server, 'staff');
    const button = page.getByTestId(`menu-${special}`);
    await button.waitFor();
    await expect(button.isEnabled()).resolves.toBe(true);
    await gql(url, 'mutation($id: ID!) { setStock(menuItemId: $id, stock: 0) { id } }', { id: special }, admin);
    await page.waitForSelector(`[data-testid="menu-${special}"][data-available="false"]`, { timeout: 3_000 });
    await expect(button.isDisabled()).resolves.toBe(true);
    await gql(url, 'mutation($id: ID!) { setStock(menuItemId: $id, stock: 5) { id } }', { id: special }, admin);
    await page.waitForSelector(`[data-testid="menu-${special}"][data-available="true"]`, { timeout: 3_000 });
    await page.context().close();
  });

  it('finds a guest, adds their usual in one tap, sends to the kitchen screen within a second, and checks out', { timeout: 60_000 }, async () => {
    const phone = `+1415555${String(Math.floor(Math.random() * 9000) + 1000)}`;
    const guest = (await gql<{ createCustomer: { id: string } }>(url, 'mutation($p: String!) { createCustomer(input: { firstName: "Maria", phone: $p, allergies: ["shellfish"] }) { id } }', { p: phone }, admin)).data!.createCustomer.id;
    const past = await gql<{ placeOrder: { id: string; total: number } }>(url, 'mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id total } }', { i: { idempotencyKey: randomUUID(), customerId: guest, items: [{ menuItemId: pasta, quantity: 1 }], sendToKitchen: false } }, admin);
    await gql(url, 'mutation($id: ID!, $i: CheckoutInput!) { checkout(orderId: $id, input: $i) { id } }', { id: past.data!.placeOrder.id, i: { idempotencyKey: randomUUID(), payments: [{ method: 'CARD', amount: past.data!.placeOrder.total }] } }, admin);

    const kitchenPage = await open(`/kitchen?station=${station}`, kitchen, 'device');
    const page = await open('/register', server, 'staff');
    await page.locator('input[name="table"]').fill(`T${tag}`);
    await page.locator('input[name="guestLookup"]').fill(phone.slice(2));
    await page.getByRole('button', { name: 'Find' }).click();
    await expect(page.getByTestId('guest-allergies').textContent()).resolves.toContain('shellfish');
    await page.getByTestId('usual').first().click();
    await page.getByTestId(`menu-${special}`).click();
    await expect(page.getByTestId('cart').textContent()).resolves.toMatch(new RegExp(`1× Pasta ${tag}[\\s\\S]*1× Special ${tag}`));
    await page.locator('input[name="modifiers-1"]').fill('medium rare, no onions');
    await page.locator('input[name="modifiers-1"]').blur();
    await page.locator('input[name="notes-1"]').fill('sauce on the side');
    await page.locator('input[name="notes-1"]').blur();
    // A double tap is one order: the second tap reuses the idempotency key.
    await page.getByTestId('send').dblclick();
    const sent = await page.getByTestId('register-message').textContent();
    const number = Number(/#(\d+)/.exec(sent ?? '')?.[1]);
    expect(number).toBeGreaterThan(0);
    await kitchenPage.locator(`[data-testid="ticket"][data-order="${number}"]`).waitFor({ timeout: 1_000 });
    await expect(kitchenPage.locator(`[data-testid="ticket"][data-order="${number}"]`).textContent()).resolves.toMatch(/SHELLFISH[\s\S]*medium rare · no onions[\s\S]*sauce on the side/);
    const orders = await gql<{ orders: { nodes: { table: string }[] } }>(url, '{ orders(first: 100) { nodes { table } } }', {}, admin);
    expect(orders.data!.orders.nodes.filter((o) => o.table === `T${tag}`)).toHaveLength(1);

    await expect(page.getByTestId('total').textContent()).resolves.toBe('$46.20');
    await page.locator('input[name="tip"]').fill('500');
    // Split: 20.00 on a card, the rest in cash with change.
    await page.locator('input[name="amount-0"]').fill('2000');
    await page.getByTestId('split').click();
    await page.locator('select[name="method-1"]').selectOption('CASH');
    await page.locator('input[name="amount-1"]').fill('4000');
    await page.getByTestId('pay').click();
    await page.getByTestId('next').waitFor({ timeout: 3_000 });
    await expect(page.getByTestId('totals').textContent()).resolves.toMatch(/Subtotal\$42\.00[\s\S]*Tax\$4\.20[\s\S]*Tip\$5\.00[\s\S]*Total\$51\.20/);
    await expect(page.getByTestId('register-message').textContent()).resolves.toBe('Paid: $51.20, change $8.80');
    await page.screenshot({ path: `${SHOTS}register-1280x800.png` });
    await page.context().close();
    await kitchenPage.context().close();
  });
});
