import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { gql, TEST_TOKEN_SECRET } from '../../server/test/support/http.js';
import '../../server/test/support/provided.js';
import { freePort } from '../../server/test/support/ports.js';
import { startServerProcess } from '../../server/test/support/server-process.js';

export const DIST = fileURLToPath(new URL('../dist', import.meta.url));
export const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

export interface E2EServer {
  url: string;
  port: number;
  /** A bearer token of the ADMIN created at start. */
  admin: string;
  /** That ADMIN's sign-in, for tests that type it into a form. */
  adminLogin: { email: string; password: string };
  /** The same server, started again on its port (after a test killed it). */
  restart(): Promise<void>;
}

/** The built server as a real process on this run's database, serving the built displays, with an ADMIN. */
export async function startE2EServer(name: string, env: Record<string, string> = {}): Promise<E2EServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const admin = { email: `${name}-admin@test.pos`, password: `${name}-admin-password` };
  const start = () =>
    startServerProcess({
      DATABASE_URL: inject('databaseUrl'),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      TOKEN_SECRET: TEST_TOKEN_SECRET,
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      DISPLAYS_DIR: DIST,
      ...env,
    }).ready.then(() => undefined);
  await start();
  const login = await gql<{ login: { token: string } }>(url, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', {
    e: admin.email,
    p: admin.password,
  });
  return { url, port, admin: login.data!.login.token, adminLogin: admin, restart: start };
}

export async function issueDevice(server: E2EServer, role: 'KITCHEN' | 'HOST', name: string): Promise<string> {
  const res = await gql<{ issueDeviceToken: string }>(server.url, 'mutation($r: Role!, $n: String!) { issueDeviceToken(role: $r, name: $n) }', { r: role, n: name }, server.admin);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.issueDeviceToken;
}

/** A fresh browser context on `origin + path`, signed in as a device or staff member (as a screen that signed in before), and live. */
export async function openScreen(
  browser: Browser,
  origin: string,
  path: string,
  credential: { kind: 'device' | 'staff'; token: string },
  viewport = { width: 1280, height: 800 },
): Promise<Page> {
  const page = await (await browser.newContext({ viewport })).newPage();
  await page.goto(`${origin}${path}`);
  await page.evaluate((c) => localStorage.setItem('pos.credential', JSON.stringify({ ...c, label: 'e2e' })), credential);
  await page.reload();
  await page.waitForSelector('[data-testid="connection-state"][data-state="live"]', { timeout: 10_000 });
  return page;
}

/** A menu item of the test's own; returns its id. */
export async function createMenuItem(
  server: E2EServer,
  item: { name: string; station: string; category?: string; price?: number; allergens?: string[]; stock?: number | null },
): Promise<string> {
  const res = await gql<{ createMenuItem: { id: string } }>(
    server.url,
    'mutation($i: MenuItemInput!) { createMenuItem(input: $i) { id } }',
    { i: { sku: `E2E-${randomUUID().slice(0, 8)}`, category: 'Mains', price: 1500, allergens: [], stock: null, ...item } },
    server.admin,
  );
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.createMenuItem.id;
}
