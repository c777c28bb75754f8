import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { gql } from '../../server/test/support/http.js';
import { killServerProcesses } from '../../server/test/support/server-process.js';
import { launchChromium } from './browser.js';
import { issueDevice, startE2EServer, type E2EServer } from './support.js';

let browser: Browser;
let server: E2EServer;
let url: string;
let adminToken: string;
let ADMIN: { email: string; password: string };

beforeAll(async () => {
  server = await startE2EServer('shell');
  ({ url, admin: adminToken, adminLogin: ADMIN } = server);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  killServerProcesses();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  return context.newPage();
}

const state = (page: Page) => page.getByTestId('connection-state');

async function expectState(page: Page, expected: string, timeout = 10_000): Promise<void> {
  await page.waitForSelector(`[data-testid="connection-state"][data-state="${expected}"]`, { timeout });
}

function issueKitchenToken(name: string): Promise<string> {
  return issueDevice(server, 'KITCHEN', name);
}

describe('the displays shell in Chromium', () => {
  it('offers the three screens from the home page', async () => {
    const page = await newPage();
    await page.goto(url + '/');
    await expect(page.getByTestId('screen-home').getByRole('link').allTextContents()).resolves.toEqual([
      'Kitchen display',
      'Host stand',
      'Register',
    ]);
    await page.getByRole('link', { name: 'Host stand' }).click();
    await page.getByTestId('sign-in').waitFor();
    await page.context().close();
  });

  it('signs a kitchen screen in with a device token, shows it live, keeps it across reloads, and shows events as they arrive', async () => {
    const token = await issueKitchenToken('e2e grill');
    const page = await newPage();
    await page.goto(url + '/kitchen?station=grill');
    await page.getByTestId('mode-device').click();
    await page.locator('input[name="deviceToken"]').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectState(page, 'live');
    await expect(page.locator('h1').textContent()).resolves.toContain('grill');
    await expect(page.getByTestId('last-event').textContent()).resolves.toContain('No events yet');

    // A power cycle: the screen comes back signed in and live, with no one to type a token.
    await page.reload();
    await expectState(page, 'live');
    await expect(state(page).textContent()).resolves.toBe('Live');

    const name = `E2E special ${Date.now().toString(36)}`;
    const created = await gql(
      url,
      'mutation($i: MenuItemInput!) { createMenuItem(input: $i) { id } }',
      { i: { sku: `E2E-${randomUUID().slice(0, 8)}`, name, category: 'Mains', price: 1500, station: 'grill', stock: 0 } },
      adminToken,
    );
    expect(created.errors).toBeUndefined();
    await page.getByTestId('last-event').filter({ hasText: `${name} (unavailable)` }).waitFor({ timeout: 5000 });
    await expect(page.getByTestId('updated-ago').textContent()).resolves.toMatch(/updated \d+ s ago/);
    await page.context().close();
  });

  it('signs a screen out at once when its device token is revoked', async () => {
    const token = await issueKitchenToken('e2e to revoke');
    const page = await newPage();
    await page.goto(url + '/kitchen?station=fry');
    await page.evaluate((t) => localStorage.setItem('pos.credential', JSON.stringify({ kind: 'device', token: t, label: 'device' })), token);
    await page.reload();
    await expectState(page, 'live');

    const devices = await gql<{ devices: { id: string; name: string }[] }>(url, '{ devices { id name } }', {}, adminToken);
    const id = devices.data!.devices.find((d) => d.name === 'e2e to revoke')!.id;
    expect((await gql(url, 'mutation($id: ID!) { revokeDeviceToken(id: $id) }', { id }, adminToken)).errors).toBeUndefined();

    await page.getByTestId('sign-out-reason').waitFor({ timeout: 5000 });
    await expect(page.evaluate(() => localStorage.getItem('pos.credential'))).resolves.toBeNull();
    await page.context().close();
  });

  it('signs the register in with a staff login and refuses a wrong password with a message', async () => {
    const page = await newPage();
    await page.goto(url + '/register');
    await page.locator('input[name="email"]').fill(ADMIN.email);
    await page.locator('input[name="password"]').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('sign-in-error').waitFor();
    await page.locator('input[name="password"]').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectState(page, 'live');
    await page.getByTestId('screen-register').waitFor();
    await page.context().close();
  });

  it('shows reconnecting while the server is down and goes live again by itself when it returns', { timeout: 60_000 }, async () => {
    const page = await newPage();
    await page.goto(url + '/host');
    await page.evaluate((t) => localStorage.setItem('pos.credential', JSON.stringify({ kind: 'staff', token: t, label: 'admin' })), adminToken);
    await page.reload();
    await expectState(page, 'live');

    killServerProcesses(); // a crash: SIGKILL, no goodbye to the socket
    await expectState(page, 'reconnecting');
    await expect(state(page).textContent()).resolves.toBe('Reconnecting…');

    await server.restart();
    await expectState(page, 'live', 20_000);
    await page.context().close();
  });
});
