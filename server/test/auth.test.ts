import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, settle, collect, TEST_PASSWORD, type TestApp } from './support/app.js';
import { Role } from '../src/common/roles.js';
import { Staff } from '../src/modules/auth/staff.entity.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

const LOGIN = `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token staff { id email role } } }`;
const CREATE_STAFF = `mutation($input: StaffInput!) { createStaff(input: $input) { id name email role } }`;

async function staffEmail(role: Role): Promise<string> {
  const me = await t.gql<{ me: { email: string } }>('{ me { email } }', {}, t.tokens[role]);
  return me.data!.me.email;
}

describe('login and me', () => {
  it('gives a working token for the right password', async () => {
    const email = await staffEmail(Role.SERVER);
    const res = await t.gql<{ login: { token: string; staff: { role: string } } }>(LOGIN, { email, password: TEST_PASSWORD });
    expect(res.errors).toBeUndefined();
    expect(res.data!.login.staff.role).toBe('SERVER');
    const me = await t.gql<{ me: { email: string; role: string } }>('{ me { email role } }', {}, res.data!.login.token);
    expect(me.data!.me).toEqual({ email, role: 'SERVER' });
  });

  it('accepts the email in any case', async () => {
    const email = await staffEmail(Role.HOST);
    const res = await t.gql(LOGIN, { email: email.toUpperCase(), password: TEST_PASSWORD });
    expect(res.errors).toBeUndefined();
  });

  it('refuses a wrong password and an unknown email with the same UNAUTHENTICATED error', async () => {
    const email = await staffEmail(Role.SERVER);
    const wrong = await t.gql(LOGIN, { email, password: 'not-the-password' });
    const unknown = await t.gql(LOGIN, { email: 'nobody@test.pos', password: 'whatever-123' });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(unknown.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(wrong.errors?.[0]?.message).toBe(unknown.errors?.[0]?.message);
    expect(wrong.data).toBeNull();
  });

  it('rejects a forged or malformed token with UNAUTHENTICATED', async () => {
    const forged = t.tokens.ADMIN.slice(0, -4) + 'AAAA';
    for (const token of [forged, 'garbage', 'posdev_unknown']) {
      const res = await t.gql('{ me { id } }', {}, token);
      expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('denies operations to callers without a token', async () => {
    const res = await t.gql('{ menu { id } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('createStaff', () => {
  it('lets ADMIN create staff and stores no plain password', async () => {
    const email = `new-${Date.now().toString(36)}@test.pos`;
    const res = await t.gql<{ createStaff: { role: string; email: string } }>(
      CREATE_STAFF,
      { input: { name: 'New Server', email: email.toUpperCase(), password: 'long-enough-1', role: 'SERVER' } },
      t.tokens.ADMIN,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.createStaff).toMatchObject({ role: 'SERVER', email });
    const row = await t.orm.em.fork().findOneOrFail(Staff, { email }, { populate: ['passwordHash'] });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    const login = await t.gql(LOGIN, { email, password: 'long-enough-1' });
    expect(login.errors).toBeUndefined();
  });

  it.each([Role.MANAGER, Role.SERVER, Role.HOST, Role.KITCHEN])('denies %s with FORBIDDEN and writes nothing', async (role) => {
    const email = `denied-${role.toLowerCase()}-${Date.now().toString(36)}@test.pos`;
    const res = await t.gql(CREATE_STAFF, { input: { name: 'X', email, password: 'long-enough-1', role: 'ADMIN' } }, t.tokens[role]);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await t.orm.em.fork().count(Staff, { email })).toBe(0);
  });

  it.each([
    [{ name: '', email: 'a@b.co', password: 'long-enough-1', role: 'SERVER' }, 'name'],
    [{ name: 'X', email: 'not-an-email', password: 'long-enough-1', role: 'SERVER' }, 'email'],
    [{ name: 'X', email: 'short@b.co', password: 'short', role: 'SERVER' }, 'password'],
  ])('refuses bad input %j naming the field', async (input, field) => {
    const before = await t.orm.em.fork().count(Staff, {});
    const res = await t.gql(CREATE_STAFF, { input }, t.tokens.ADMIN);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toContain(field);
    expect(await t.orm.em.fork().count(Staff, {})).toBe(before);
  });

  it('refuses an unknown role with BAD_USER_INPUT', async () => {
    const res = await t.gql(CREATE_STAFF, { input: { name: 'X', email: 'r@b.co', password: 'long-enough-1', role: 'CHEF' } }, t.tokens.ADMIN);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a duplicate email', async () => {
    const email = await staffEmail(Role.KITCHEN);
    const res = await t.gql(CREATE_STAFF, { input: { name: 'Dup', email, password: 'long-enough-1', role: 'SERVER' } }, t.tokens.ADMIN);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toContain('email');
  });
});

describe('device tokens', () => {
  const ISSUE = `mutation($role: Role!, $name: String!) { issueDeviceToken(role: $role, name: $name) }`;

  it('issues KITCHEN and HOST tokens only', async () => {
    const bad = await t.gql(ISSUE, { role: 'MANAGER', name: 'tablet' }, t.tokens.ADMIN);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const denied = await t.gql(ISSUE, { role: 'KITCHEN', name: 'tablet' }, t.tokens.SERVER);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('lets a kitchen device subscribe to menuUpdates but not create menu items, until revoked', async () => {
    const issued = await t.gql<{ issueDeviceToken: string }>(ISSUE, { role: 'KITCHEN', name: 'grill wall' }, t.tokens.MANAGER);
    const token = issued.data!.issueDeviceToken;
    expect(token).toMatch(/^posdev_/);

    const create = await t.gql(
      `mutation { createMenuItem(input: { sku: "DEV-${Date.now()}", name: "Nope", category: "x", price: 100, station: "grill" }) { id } }`,
      {},
      token,
    );
    expect(create.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const client = t.ws(token);
    const updates = collect<{ menuUpdates: { name: string } }>(client, 'subscription { menuUpdates { name available } }', {}, 1);
    await settle();
    const created = await t.gql(
      `mutation { createMenuItem(input: { sku: "DEVOK-${Date.now()}", name: "Seen by device", category: "x", price: 100, station: "grill" }) { id } }`,
      {},
      t.tokens.ADMIN,
    );
    expect(created.errors).toBeUndefined();
    const [first] = await updates.done;
    expect(first!.data!.menuUpdates.name).toBe('Seen by device');

    const devices = await t.gql<{ devices: { id: string; name: string }[] }>('{ devices { id name } }', {}, t.tokens.ADMIN);
    const device = devices.data!.devices.find((d) => d.name === 'grill wall')!;
    const revoked = await t.gql(`mutation($id: ID!) { revokeDeviceToken(id: $id) }`, { id: device.id }, t.tokens.ADMIN);
    expect(revoked.errors).toBeUndefined();
    const after = await t.gql('{ menu { id } }', {}, token);
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('websocket authentication', () => {
  async function closeCode(token: string | undefined): Promise<number> {
    return new Promise<number>((resolve) => {
      const client = t.ws(token, { onClosed: (code) => resolve(code) });
      client.subscribe({ query: 'subscription { menuUpdates { id } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    });
  }

  it('closes the socket with 4403 for a bad token', async () => {
    expect(await closeCode('not-a-token')).toBe(4403);
  });

  it('closes the socket with 4403 without a token', async () => {
    expect(await closeCode(undefined)).toBe(4403);
  });

  it('enforces roles over websockets too', async () => {
    const client = t.ws(t.tokens.KITCHEN);
    const result = await new Promise<{ errors?: { extensions?: { code?: string } }[] }>((resolve) => {
      client.subscribe(
        { query: 'mutation { createStaff(input: { name: "X", email: "ws@b.co", password: "long-enough-1", role: ADMIN }) { id } }' },
        { next: (r) => resolve(r as never), error: (e) => resolve({ errors: e as never }), complete: () => undefined },
      );
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
