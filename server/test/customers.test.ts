import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { checkout, count, customer, key, menuItem, placeOrder } from './support/factories.js';
import { Role } from '../src/common/roles.js';
import { PaymentMethod } from '../src/modules/orders/order.entity.js';

let t: TestApp;
const queries: string[] = [];
beforeAll(async () => {
  t = await startTestApp({ TAX_RATE_BPS: 875, PHONE_DEFAULT_REGION: 'US' }, { onQuery: (sql) => queries.push(sql) });
});
afterAll(() => t?.close());

const CREATE = 'mutation($i: CustomerInput!) { createCustomer(input: $i) { id firstName lastName phone email birthday loyaltyCode allergies tags marketingOptIn } }';
const PROFILE = `query($id: ID!) { customer(id: $id) {
  stats { visitCount totalSpent averageSpend firstVisitAt lastVisitAt averageDaysBetweenVisits }
  usualDishes(limit: 3) { count menuItem { id name } }
} }`;

describe('createCustomer and updateCustomer', () => {
  it('normalises the phone to E.164 and the email to lower case, and gives a loyalty code', async () => {
    const phone = `(415) 555-${String(Math.floor(Math.random() * 9000) + 1000)}`;
    const res = await t.gql<{ createCustomer: any }>(
      CREATE,
      { i: { firstName: ' Maria ', lastName: 'Garcia', phone, email: ' Maria.G@Example.com', birthday: '1988-03-14', allergies: ['Peanuts', 'peanuts '] } },
      t.tokens.MANAGER,
    );
    expect(res.errors).toBeUndefined();
    const c = res.data!.createCustomer;
    expect(c).toMatchObject({ firstName: 'Maria', lastName: 'Garcia', email: 'maria.g@example.com', birthday: '1988-03-14', allergies: ['peanuts'], marketingOptIn: false });
    expect(c.phone).toBe(`+1415555${phone.slice(-4)}`);
    expect(c.loyaltyCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  });

  it('is CONFLICT when another customer has the phone or email, however it is written', async () => {
    const n = String(Math.floor(Math.random() * 9000) + 1000);
    const email = `dup-${key().slice(0, 6)}@example.com`;
    await customer(t, { phone: `212-555-${n}`, email });
    const before = await count(t, 'customer');
    const byPhone = await t.gql(CREATE, { i: { firstName: 'B', phone: `+1 (212) 555 ${n}` } }, t.tokens.MANAGER);
    expect(byPhone.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'phone' });
    const byEmail = await t.gql(CREATE, { i: { firstName: 'C', email: email.toUpperCase() } }, t.tokens.MANAGER);
    expect(byEmail.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'email' });
    expect(await count(t, 'customer')).toBe(before);
  });

  it('refuses malformed input with BAD_USER_INPUT, writing nothing', async () => {
    const before = await count(t, 'customer');
    for (const i of [{ firstName: '  ' }, { firstName: 'A', phone: 'call me' }, { firstName: 'A', email: 'nope@' }, { firstName: 'A', birthday: '1990-02-30' }]) {
      const res = await t.gql(CREATE, { i }, t.tokens.MANAGER);
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(i)).toBe('BAD_USER_INPUT');
    }
    expect(await count(t, 'customer')).toBe(before);
  });

  it('updates what is given and clears with an empty string', async () => {
    const c = await customer(t, { email: `u-${key().slice(0, 6)}@example.com`, notes: 'window seat' });
    const res = await t.gql<{ updateCustomer: any }>(
      'mutation($id: ID!, $p: CustomerPatch!) { updateCustomer(id: $id, input: $p) { firstName email notes tags marketingOptIn } }',
      { id: c.id, p: { firstName: 'Renamed', email: '', tags: ['VIP', 'wine club'], marketingOptIn: true } },
      t.tokens.MANAGER,
    );
    expect(res.data!.updateCustomer).toEqual({ firstName: 'Renamed', email: null, notes: 'window seat', tags: ['vip', 'wine club'], marketingOptIn: true });
    const missing = await t.gql('mutation { updateCustomer(id: "00000000-0000-4000-8000-000000000000", input: { notes: "x" }) { id } }', {}, t.tokens.MANAGER);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('keeps contact data and spend from the kitchen', async () => {
    const c = await customer(t);
    expect((await t.gql('query($id: ID!) { customer(id: $id) { phone } }', { id: c.id }, t.tokens.KITCHEN)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql('query($id: ID!) { customer(id: $id) { stats { totalSpent } } }', { id: c.id }, t.tokens.HOST)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('the profile projection', () => {
  it('counts visits, spend and go-to dishes at checkout, most ordered first with ties to the most recent', async () => {
    const guest = await customer(t);
    const [steak, fries, salad] = await Promise.all([menuItem(t, { price: 2_900 }), menuItem(t, { price: 550 }), menuItem(t, { price: 1_200 })]);
    const visit = async (items: { menuItemId: string; quantity: number }[], tip = 0) => {
      const order = (await placeOrder(t, { customerId: guest.id, items })).data!.placeOrder;
      const paid = await checkout(t, order.id, { tip, payments: [{ method: 'CASH', amount: 100_000 }] });
      expect(paid.errors).toBeUndefined();
      return paid.data!.checkout;
    };
    const a = await visit([{ menuItemId: steak.id, quantity: 1 }, { menuItemId: fries.id, quantity: 2 }], 500);
    const b = await visit([{ menuItemId: salad.id, quantity: 1 }, { menuItemId: fries.id, quantity: 1 }]);
    const c = await visit([{ menuItemId: salad.id, quantity: 2 }]);
    const res = await t.gql<{ customer: any }>(PROFILE, { id: guest.id }, t.tokens.MANAGER);
    const spent = a.total - a.tip + b.total + c.total;
    expect(res.data!.customer.stats).toMatchObject({ visitCount: 3, totalSpent: spent, averageSpend: Math.round(spent / 3) });
    expect(res.data!.customer.stats.firstVisitAt).toBe(a.paidAt);
    expect(res.data!.customer.stats.lastVisitAt).toBe(c.paidAt);
    // fries 3, salad 3 (more recent), steak 1
    expect(res.data!.customer.usualDishes.map((d: any) => [d.menuItem.id, d.count])).toEqual([
      [salad.id, 3],
      [fries.id, 3],
      [steak.id, 1],
    ]);
  });

  it('breaks ties between go-to dishes by the most recent paid order left after a paid order is voided', async () => {
    const [soup, pie] = await Promise.all([menuItem(t), menuItem(t)]);
    const guest = await customer(t);
    const day = (n: number) => new Date(Date.parse('2026-02-01T19:00:00Z') + n * 86_400_000);
    async function visit(menuItemId: string, n: number) {
      const order = await t.app.services.orders.placeOrder(t.as(Role.SERVER), { idempotencyKey: key(), customerId: guest.id, items: [{ menuItemId, quantity: 1 }] }, { at: day(n) });
      await t.app.services.orders.checkout(t.as(Role.SERVER), order.id, { idempotencyKey: key(), payments: [{ method: PaymentMethod.CASH, amount: 100_000 }] }, { at: day(n) });
      return order;
    }
    await visit(soup.id, 1);
    await visit(pie.id, 2);
    const last = await visit(soup.id, 3);
    await t.app.services.orders.voidOrder(t.as(Role.MANAGER), last.id, 'comped');
    // One soup (day 1) and one pie (day 2) are left: pie was had more recently.
    const res = await t.gql<{ customer: any }>(PROFILE, { id: guest.id }, t.tokens.MANAGER);
    expect(res.data!.customer.usualDishes.map((d: any) => [d.menuItem.id, d.count])).toEqual([
      [pie.id, 1],
      [soup.id, 1],
    ]);
    expect(res.data!.customer.stats.lastVisitAt).toBe(day(2).toISOString());
  });

  it('after a random sequence of checkouts equals the stats recomputed from the order history', { timeout: 120_000 }, async () => {
    const dishes = await Promise.all([0, 1, 2, 3].map((i) => menuItem(t, { price: 300 + i * 450 })));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            daysLater: fc.integer({ min: 0, max: 40 }),
            lines: fc.array(fc.record({ dish: fc.integer({ min: 0, max: 3 }), quantity: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 4 }),
            tip: fc.integer({ min: 0, max: 2_000 }),
            voided: fc.boolean(),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        async (visits) => {
          const guest = await customer(t);
          const ctx = () => t.as(Role.SERVER);
          let at = Date.parse('2026-01-01T19:00:00Z');
          for (const v of visits) {
            at += v.daysLater * 86_400_000 + 3_600_000;
            const order = await t.app.services.orders.placeOrder(
              ctx(),
              { idempotencyKey: key(), customerId: guest.id, items: v.lines.map((l) => ({ menuItemId: dishes[l.dish]!.id, quantity: l.quantity })) },
              { at: new Date(at) },
            );
            if (v.voided) await t.app.services.orders.voidOrder(t.as(Role.MANAGER), order.id, 'property test');
            else {
              await t.app.services.orders.checkout(
                ctx(),
                order.id,
                { idempotencyKey: key(), tip: v.tip, payments: [{ method: PaymentMethod.CASH, amount: 1_000_000 }] },
                { at: new Date(at) },
              );
            }
          }
          // Recompute from the history the API serves.
          const history = await t.gql<{ customer: any }>(
            `query($id: ID!) { customer(id: $id) { orders(first: 100) { nodes { status total tip paidAt lines { quantity menuItem { id } } } } } }`,
            { id: guest.id },
            t.tokens.MANAGER,
          );
          const paid = history.data!.customer.orders.nodes.filter((o: any) => o.status === 'PAID');
          const times = paid.map((o: any) => Date.parse(o.paidAt)).sort((x: number, y: number) => x - y);
          const spent = paid.reduce((s: number, o: any) => s + o.total - o.tip, 0);
          const gaps = times.slice(1).map((x: number, i: number) => (x - times[i]!) / 86_400_000);
          const perDish = new Map<string, number>();
          for (const o of paid) for (const l of o.lines) perDish.set(l.menuItem.id, (perDish.get(l.menuItem.id) ?? 0) + l.quantity);

          const profile = (await t.gql<{ customer: any }>(PROFILE.replace('limit: 3', 'limit: 10'), { id: guest.id }, t.tokens.MANAGER)).data!.customer;
          expect(profile.stats.visitCount).toBe(paid.length);
          expect(profile.stats.totalSpent).toBe(spent);
          expect(profile.stats.averageSpend).toBe(paid.length ? Math.round(spent / paid.length) : 0);
          expect(profile.stats.firstVisitAt ? Date.parse(profile.stats.firstVisitAt) : null).toBe(times[0] ?? null);
          expect(profile.stats.lastVisitAt ? Date.parse(profile.stats.lastVisitAt) : null).toBe(times.at(-1) ?? null);
          if (gaps.length) expect(profile.stats.averageDaysBetweenVisits).toBeCloseTo(gaps.reduce((s: number, g: number) => s + g, 0) / gaps.length, 9);
          else expect(profile.stats.averageDaysBetweenVisits).toBeNull();
          expect(new Map(profile.usualDishes.map((d: any) => [d.menuItem.id, d.count]))).toEqual(perDish);
          const counts = profile.usualDishes.map((d: any) => d.count);
          expect(counts).toEqual([...counts].sort((x: number, y: number) => y - x));
        },
      ),
      { numRuns: 15 },
    );
  });

  it('costs the same number of SQL statements per checkout with 5 or 500 past orders', { timeout: 180_000 }, async () => {
    const dishes = await Promise.all([0, 1, 2].map(() => menuItem(t, { price: 1_000 })));
    // A context per call, as each request has its own.
    const ctx = () => t.as(Role.SERVER);
    async function visit(guestId: string, i: number) {
      const order = await t.app.services.orders.placeOrder(ctx(), {
        idempotencyKey: key(),
        customerId: guestId,
        items: [{ menuItemId: dishes[i % 3]!.id, quantity: 1 }, { menuItemId: dishes[(i + 1) % 3]!.id, quantity: 2 }],
      });
      return order.id;
    }
    async function statementsForCheckout(guestId: string): Promise<number> {
      const orderId = await visit(guestId, 0);
      queries.length = 0;
      await t.app.services.orders.checkout(ctx(), orderId, { idempotencyKey: key(), payments: [{ method: PaymentMethod.CARD, amount: 3_263 }] });
      return queries.length;
    }
    const few = await customer(t);
    const many = await customer(t);
    for (let i = 0; i < 5; i++) {
      const id = await visit(few.id, i);
      await t.app.services.orders.checkout(ctx(), id, { idempotencyKey: key(), payments: [{ method: PaymentMethod.CASH, amount: 10_000 }] });
    }
    for (let i = 0; i < 500; i++) {
      const id = await visit(many.id, i);
      await t.app.services.orders.checkout(ctx(), id, { idempotencyKey: key(), payments: [{ method: PaymentMethod.CASH, amount: 10_000 }] });
    }
    const withFive = await statementsForCheckout(few.id);
    const withFiveHundred = await statementsForCheckout(many.id);
    expect(withFive).toBeGreaterThan(3);
    console.info(`SQL statements per checkout: ${withFive} with 5 past orders, ${withFiveHundred} with 500`);
    expect(withFiveHundred).toBe(withFive);
    // begin, idempotency key + order, its lines and guest locked, payments + order + points + dishes + profile
    // stats and stage, commit (was 17, then 9, then 6, then 5).
    expect(withFive).toBe(4);
    const stats = (await t.gql<{ customer: any }>(PROFILE, { id: many.id }, t.tokens.MANAGER)).data!.customer.stats;
    expect(stats.visitCount).toBe(501);
  });
});

describe('Customer.orders', () => {
  it('is the service history, newest first, paged by cursor, and not for the host or a server', async () => {
    const guest = await customer(t);
    const item = await menuItem(t);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await placeOrder(t, { customerId: guest.id, items: [{ menuItemId: item.id, quantity: 1 }] })).data!.placeOrder.id);
    const q = 'query($id: ID!, $after: String) { customer(id: $id) { orders(first: 2, after: $after) { nodes { id } pageInfo { endCursor hasNextPage } } } }';
    const p1 = (await t.gql<{ customer: any }>(q, { id: guest.id }, t.tokens.MANAGER)).data!.customer.orders;
    expect(p1.nodes.map((n: any) => n.id)).toEqual([ids[2], ids[1]]);
    const p2 = (await t.gql<{ customer: any }>(q, { id: guest.id, after: p1.pageInfo.endCursor }, t.tokens.MANAGER)).data!.customer.orders;
    expect(p2).toEqual({ nodes: [{ id: ids[0] }], pageInfo: { endCursor: expect.any(String), hasNextPage: false } });
    expect((await t.gql(q, { id: guest.id }, t.tokens.HOST)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(q, { id: guest.id }, t.tokens.SERVER)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
