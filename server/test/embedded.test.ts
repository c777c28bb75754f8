import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFrom } from '../src/config.js';
import { startRuntime, type Runtime } from '../src/runtime.js';
import { DEMO_LOGINS } from '../src/seed/demo.js';
import { gql } from './support/app.js';
import { freePort } from './support/ports.js';

const dataDir = mkdtempSync(join(tmpdir(), 'pos-embedded-test-'));
chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as the postgres user, which must reach the folder
let runtime: Runtime | undefined;
afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function boot(pgPort: number): Promise<Runtime> {
  // No DATABASE_URL: the embedded default starts its own PostgreSQL under DATA_DIR.
  const config = configFrom({ PORT: 0, HOST: '127.0.0.1', LOG_LEVEL: 'silent', DATA_DIR: dataDir, EMBEDDED_PG_PORT: pgPort, SEED_DEMO: true });
  return startRuntime(config, { embedded: true });
}

async function menuAsDemoAdmin(url: string): Promise<string[]> {
  const admin = DEMO_LOGINS.staff.find((s) => s.role === 'ADMIN')!;
  const login = await gql<{ login: { token: string } }>(url, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', {
    e: admin.email,
    p: DEMO_LOGINS.password,
  });
  expect(login.errors).toBeUndefined();
  const menu = await gql<{ menu: { id: string }[] }>(url, '{ menu { id } }', {}, login.data!.login.token);
  expect(menu.errors).toBeUndefined();
  return menu.data!.menu.map((m) => m.id).sort();
}

describe('the embedded default', () => {
  it('boots on embedded PostgreSQL with the demo restaurant, stops, and starts again on the same data', { timeout: 120_000 }, async () => {
    const pgPort = await freePort();
    runtime = await boot(pgPort);
    expect(runtime.embedded).toBeDefined();
    const first = await menuAsDemoAdmin(runtime.app.url);
    expect(first.length).toBeGreaterThanOrEqual(30);
    await runtime.stop();
    runtime = undefined;

    runtime = await boot(pgPort);
    const second = await menuAsDemoAdmin(runtime.app.url);
    expect(second).toEqual(first);
  });
});
