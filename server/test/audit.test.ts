import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { checkout, count, customer, key, menuItem, placeOrder } from './support/factories.js';

let t: TestApp;
let ids: Record<'ADMIN' | 'MANAGER' | 'SERVER', string>;
beforeAll(async () => {
  t = await startTestApp();
  const me = async (role: 'ADMIN' | 'MANAGER' | 'SERVER') => (await t.gql<{ me: { id: string } }>('{ me { id } }', {}, t.tokens[role])).data!.me.id;
  ids = { ADMIN: await me('ADMIN'), MANAGER: await me('MANAGER'), SERVER: await me('SERVER') };
});
afterAll(() => t?.close());

const AUDIT = `query($action: String, $subject: ID, $first: Int, $after: String) {
  auditLog(action: $action, subjectId: $subject, first: $first, after: $after) {
    nodes { id at action actorKind actorId deviceId address subjectId result details }
    pageInfo { endCursor hasNextPage }
  }
}`;
type Entry = { id: string; at: string; action: string; actorKind: string; actorId: string | null; deviceId: string | null; address: string | null; subjectId: string | null; result: string; details: Record<string, unknown> };

async function entries(vars: { action?: string; subject?: string }): Promise<Entry[]> {
  const res = await t.gql<{ auditLog: { nodes: Entry[] } }>(AUDIT, { first: 100, ...vars }, t.tokens.ADMIN);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.auditLog.nodes;
}

describe('the audit log records sensitive actions', () => {
  it('records a failed sign-in: the account tried, from where, refused, never what was typed', async () => {
    const email = (await t.gql<{ me: { email: string } }>('{ me { email } }', {}, t.tokens.SERVER)).data!.me.email;
    await t.gql('mutation($e: String!) { login(email: $e, password: "wrong-password-audit") { token } }', { e: email });
    const [entry] = await entries({ action: 'login_failed', subject: ids.SERVER });
    expect(entry).toMatchObject({ actorKind: 'anonymous', actorId: null, result: 'DENIED', subjectId: ids.SERVER, address: expect.stringMatching(/127\.0\.0\.1/) });
    expect(JSON.stringify(entry)).not.toMatch(/wrong-password|@test\.pos/);
  });

  it('records staff created with their role, and device tokens issued and revoked', async () => {
    const created = await t.gql<{ createStaff: { id: string } }>(
      'mutation($i: StaffInput!) { createStaff(input: $i) { id } }',
      { i: { name: 'Audit Server', email: `audit-${key().slice(0, 6)}@test.pos`, password: 'long-enough-1', role: 'MANAGER' } },
      t.tokens.ADMIN,
    );
    const [staff] = await entries({ action: 'staff_created', subject: created.data!.createStaff.id });
    expect(staff).toMatchObject({ actorKind: 'staff', actorId: ids.ADMIN, result: 'OK', details: { role: 'MANAGER' } });

    await t.gql('mutation { issueDeviceToken(role: HOST, name: "audit stand") }', {}, t.tokens.MANAGER);
    const device = (await t.gql<{ devices: { id: string; name: string }[] }>('{ devices { id name } }', {}, t.tokens.ADMIN)).data!.devices.find((d) => d.name === 'audit stand')!;
    expect((await entries({ action: 'device_token_issued', subject: device.id }))[0]).toMatchObject({ actorId: ids.MANAGER, details: { role: 'HOST' } });
    await t.gql('mutation($id: ID!) { revokeDeviceToken(id: $id) }', { id: device.id }, t.tokens.ADMIN);
    expect((await entries({ action: 'device_token_revoked', subject: device.id }))[0]).toMatchObject({ actorId: ids.ADMIN, result: 'OK' });
  });

  it('records voids (without the free-text reason) and discounts applied at checkout', async () => {
    const item = await menuItem(t, { price: 2_000 });
    const voided = (await placeOrder(t, { items: [{ menuItemId: item.id, quantity: 1 }] })).data!.placeOrder;
    await t.gql('mutation($id: ID!) { voidOrder(orderId: $id, reason: "Zelda Quinn changed her mind") { id } }', { id: voided.id }, t.tokens.MANAGER);
    const [v] = await entries({ action: 'order_voided', subject: voided.id });
    expect(v).toMatchObject({ actorId: ids.MANAGER, details: { orderNumber: voided.number, was: 'OPEN', total: voided.total } });
    expect(JSON.stringify(v)).not.toContain('Zelda');

    const code = `AUD${key().slice(0, 6).toUpperCase()}`;
    const promo = await t.gql('mutation($i: PromotionInput!) { createPromotion(input: $i) { id } }', { i: { name: 'Audit ten', code, discountPercent: 10 } }, t.tokens.MANAGER);
    expect(promo.errors).toBeUndefined();
    const order = (await placeOrder(t, { items: [{ menuItemId: item.id, quantity: 1 }] })).data!.placeOrder;
    const paid = await checkout(t, order.id, { promotionCode: code, payments: [{ method: 'CASH', amount: 10_000 }] });
    expect(paid.errors).toBeUndefined();
    const [d] = await entries({ action: 'discount_applied', subject: order.id });
    expect(d).toMatchObject({ actorId: ids.SERVER, details: { discount: 200, subtotal: 2_000, promotionCode: code } });
  });

  it('records whole-profile reads by managers, not the register', async () => {
    const g = await customer(t, { firstName: 'Profiled' });
    await t.gql('query($id: ID!) { customer(id: $id) { firstName } }', { id: g.id }, t.tokens.SERVER);
    await t.gql('query($id: ID!) { customer(id: $id) { phone } }', { id: g.id }, t.tokens.MANAGER);
    await t.gql('query($c: String!) { customerLookup(by: { loyaltyCode: $c }) { id } }', { c: g.loyaltyCode }, t.tokens.ADMIN);
    const reads = await entries({ action: 'profile_read', subject: g.id });
    expect(reads.map((r) => r.actorId).sort()).toEqual([ids.ADMIN, ids.MANAGER].sort());
  });

  it('keeps no personal data about an erased guest', async () => {
    const secret = `Xyla${key().slice(0, 6)}`;
    const email = `${secret.toLowerCase()}@example.com`;
    const g = await customer(t, { firstName: secret, email, phone: '+16285559911', marketingOptIn: true, notes: `${secret} note` });
    await t.gql('query($id: ID!) { customerExport(id: $id) }', { id: g.id }, t.tokens.MANAGER);
    expect((await t.gql('mutation($id: ID!) { eraseCustomer(id: $id) }', { id: g.id }, t.tokens.ADMIN)).errors).toBeUndefined();
    const about = await entries({ subject: g.id });
    expect(new Set(about.map((e) => e.action))).toEqual(new Set(['marketing_opt_in', 'customer_exported', 'customer_erased']));
    expect(JSON.stringify(about)).not.toMatch(new RegExp(`${secret}|6285559911`, 'i'));
  });

  it('pages newest first with cursors, for ADMIN only', async () => {
    const p1 = await t.gql<{ auditLog: { nodes: Entry[]; pageInfo: { endCursor: string; hasNextPage: boolean } } }>(AUDIT, { first: 3 }, t.tokens.ADMIN);
    const p2 = await t.gql<{ auditLog: { nodes: Entry[] } }>(AUDIT, { first: 3, after: p1.data!.auditLog.pageInfo.endCursor }, t.tokens.ADMIN);
    expect(p1.data!.auditLog.pageInfo.hasNextPage).toBe(true);
    const all = [...p1.data!.auditLog.nodes, ...p2.data!.auditLog.nodes];
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    const times = all.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect((await t.gql(AUDIT, {}, t.tokens.MANAGER)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('the audit log is append-only in PostgreSQL', () => {
  it('refuses UPDATE, DELETE and TRUNCATE from the application connection', async () => {
    await t.gql('mutation { login(email: "nobody-audit@test.pos", password: "whatever-123") { token } }');
    const before = await count(t, 'audit_log');
    expect(before).toBeGreaterThan(0);
    const conn = t.orm.em.fork().getConnection();
    for (const sql of [`update audit_log set action = 'tampered'`, `update audit_log set details = '{}' where action = 'login_failed'`, 'delete from audit_log', 'truncate audit_log']) {
      await expect(conn.execute(sql), sql).rejects.toThrow(/append-only/);
    }
    expect(await count(t, 'audit_log')).toBeGreaterThanOrEqual(before);
    expect(await count(t, 'audit_log', `action = 'tampered'`)).toBe(0);
  });
});
