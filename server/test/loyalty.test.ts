import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { checkout, customer, key, menuItem, placeOrder } from './support/factories.js';
import { Role } from '../src/common/roles.js';
import { PaymentMethod } from '../src/modules/orders/order.entity.js';

const DAY = 86_400_000;
let frozen: Date | null = null;
const clock = () => frozen ?? new Date();
const queries: string[] = [];
let t: TestApp;
let steak: { id: string; name: string; price: number };
let pie: { id: string; name: string; price: number };

beforeAll(async () => {
  t = await startTestApp({ TAX_RATE_BPS: 1000, LOYALTY_POINTS_PER_UNIT: 1, LOYALTY_TIERS: 'Bronze:0,Silver:40,Gold:100' }, { redis: true, clock, onQuery: (sql) => queries.push(sql) });
  steak = await menuItem(t, { price: 2_500, name: `Steak ${key().slice(0, 4)}` });
  pie = await menuItem(t, { price: 800, name: `Pie ${key().slice(0, 4)}` });
});
afterAll(() => t?.close());

const ACCOUNT = 'query($id: ID!) { customer(id: $id) { loyalty { points lifetimePoints tier availableRewards { id name } } } }';
async function account(id: string) {
  return (await t.gql<{ customer: { loyalty: any } }>(ACCOUNT, { id }, t.tokens.SERVER)).data!.customer.loyalty;
}
async function ledger(id: string) {
  return t.app.services.loyalty.ledgerBalance(t.orm.em.fork(), id);
}
async function pay(orderId: string, extra: Record<string, unknown> = {}) {
  return checkout(t, orderId, { payments: [{ method: 'CASH', amount: 1_000_000 }], ...extra });
}
/** A paid visit through the services, at a chosen time. */
async function visit(customerId: string, at: Date) {
  const order = await t.app.services.orders.placeOrder(t.as(Role.SERVER), { idempotencyKey: key(), customerId, items: [{ menuItemId: steak.id, quantity: 1 }], sendToKitchen: false }, { at });
  await t.app.services.orders.checkout(t.as(Role.SERVER), order.id, { idempotencyKey: key(), payments: [{ method: PaymentMethod.CASH, amount: 100_000 }] }, { at });
}

describe('earning, redeeming and voiding', () => {
  it('round-trips with the ledger always equal to the balance', async () => {
    const g = await customer(t);
    const first = (await placeOrder(t, { customerId: g.id, items: [{ menuItemId: steak.id, quantity: 1 }] })).data!.placeOrder;
    expect((await pay(first.id, { tip: 500 })).errors).toBeUndefined();
    expect(await account(g.id)).toMatchObject({ points: 25, lifetimePoints: 25, tier: 'Bronze' });
    expect(await ledger(g.id)).toBe(25);

    const reward = (await t.gql<{ createReward: { id: string } }>('mutation { createReward(input: { name: "Five off", pointsCost: 20, discountAmount: 500 }) { id } }', {}, t.tokens.MANAGER)).data!.createReward;
    expect((await t.gql('mutation { createReward(input: { name: "x", pointsCost: 5, discountAmount: 1 }) { id } }', {}, t.tokens.SERVER)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await account(g.id)).availableRewards.map((r: any) => r.id)).toContain(reward.id);

    const second = (await placeOrder(t, { customerId: g.id, items: [{ menuItemId: steak.id, quantity: 2 }] })).data!.placeOrder;
    const paid = await pay(second.id, { rewardId: reward.id });
    expect(paid.errors).toBeUndefined();
    expect(paid.data!.checkout).toMatchObject({ subtotal: 5_000, discount: 500, tax: 450, total: 4_950 });
    // 25 - 20 redeemed + 45 earned on 45.00 after the discount
    expect(await account(g.id)).toMatchObject({ points: 50, lifetimePoints: 70, tier: 'Silver' });
    expect(await ledger(g.id)).toBe(50);

    const voided = await t.gql<{ voidOrder: { status: string } }>('mutation($id: ID!) { voidOrder(orderId: $id, reason: "comped") { status } }', { id: second.id }, t.tokens.MANAGER);
    expect(voided.data!.voidOrder.status).toBe('VOIDED');
    expect(await account(g.id)).toMatchObject({ points: 25, lifetimePoints: 25 });
    expect(await ledger(g.id)).toBe(25);
    const stats = (await t.gql<{ customer: any }>('query($id: ID!) { customer(id: $id) { stats { visitCount totalSpent } usualDishes { count } } }', { id: g.id }, t.tokens.MANAGER)).data!.customer;
    expect(stats.stats).toEqual({ visitCount: 1, totalSpent: first.subtotal + 250 });
    expect(stats.usualDishes).toEqual([{ count: 1 }]);
  });

  it('never credits twice on an idempotent replay', async () => {
    const g = await customer(t);
    const order = (await placeOrder(t, { customerId: g.id, items: [{ menuItemId: steak.id, quantity: 1 }] })).data!.placeOrder;
    const input = { idempotencyKey: key(), payments: [{ method: 'CASH', amount: 10_000 }] };
    await Promise.all([checkout(t, order.id, input), checkout(t, order.id, input), checkout(t, order.id, input)]);
    expect(await account(g.id)).toMatchObject({ points: 25 });
    expect(await ledger(g.id)).toBe(25);
  });

  it('refuses a reward when points are short, or when its free item is not on the order, and gives the free item when it is', async () => {
    const g = await customer(t);
    const free = (await t.gql<{ createReward: { id: string } }>('mutation($m: ID!) { createReward(input: { name: "Free pie", pointsCost: 10, freeMenuItemId: $m }) { id } }', { m: pie.id }, t.tokens.MANAGER)).data!.createReward;
    const o1 = (await placeOrder(t, { customerId: g.id, items: [{ menuItemId: steak.id, quantity: 1 }, { menuItemId: pie.id, quantity: 1 }] })).data!.placeOrder;
    const short = await pay(o1.id, { rewardId: free.id });
    expect(short.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(short.errors?.[0]?.message).toMatch(/not enough points: 0 of 10/);
    await pay(o1.id);
    const o2 = (await placeOrder(t, { customerId: g.id, items: [{ menuItemId: steak.id, quantity: 1 }] })).data!.placeOrder;
    expect((await pay(o2.id, { rewardId: free.id })).errors?.[0]?.message).toMatch(/not on the order/);
    await t.gql('mutation($o: ID!, $i: [OrderItemInput!]!) { addOrderItems(orderId: $o, items: $i) { id } }', { o: o2.id, i: [{ menuItemId: pie.id, quantity: 2 }] }, t.tokens.SERVER);
    const ok = await pay(o2.id, { rewardId: free.id });
    expect(ok.data!.checkout).toMatchObject({ subtotal: 4_100, discount: 800 });
    expect(await ledger(g.id)).toBe((await account(g.id)).points);
  });
});

describe('promotions', () => {
  it('apply only when active and the guest qualifies: the targeting matrix', { timeout: 60_000 }, async () => {
    frozen = null;
    const now = Date.now();
    // A weekly regular in the loyal segment, and a guest who stopped coming a month ago.
    const regular = await customer(t);
    for (let i = 11; i >= 0; i--) await visit(regular.id, new Date(now - (1 + i * 7) * DAY));
    const atRisk = await customer(t);
    for (let i = 5; i >= 0; i--) await visit(atRisk.id, new Date(now - (30 + i * 7) * DAY));
    const facts = async (id: string) => (await t.gql<{ customer: any }>('query($id: ID!) { customer(id: $id) { lifecycleStage segments } }', { id }, t.tokens.MANAGER)).data!.customer;
    const guests = { regular: await facts(regular.id), atRisk: await facts(atRisk.id), none: null };
    expect(guests.regular.lifecycleStage).toBe('REGULAR');
    expect(guests.regular.segments).toContain('loyal');
    expect(guests.atRisk.lifecycleStage).toBe('AT_RISK');

    const windows = { open: {}, future: { startsAt: new Date(now + 5 * DAY).toISOString() }, ended: { endsAt: new Date(now - DAY).toISOString() } };
    const stages = [null, 'REGULAR', 'AT_RISK'];
    const segments = [null, 'loyal'];
    let cases = 0;
    for (const [windowName, window] of Object.entries(windows)) {
      for (const stage of stages) {
        for (const segment of segments) {
          const code = `M${key().slice(0, 8)}`;
          const created = await t.gql('mutation($i: PromotionInput!) { createPromotion(input: $i) { id active } }', { i: { name: code, code, discountPercent: 10, lifecycleStage: stage, segment, ...window } }, t.tokens.MANAGER);
          expect(created.errors, code).toBeUndefined();
          for (const [who, guest] of Object.entries(guests)) {
            const customerId = who === 'regular' ? regular.id : who === 'atRisk' ? atRisk.id : null;
            const order = (await placeOrder(t, { customerId, items: [{ menuItemId: steak.id, quantity: 1 }] })).data!.placeOrder;
            const res = await pay(order.id, { promotionCode: code.toLowerCase() });
            const qualifies =
              windowName === 'open' && (stage === null || guest?.lifecycleStage === stage) && (segment === null || (guest?.segments ?? []).includes(segment)) && (guest !== null || (stage === null && segment === null));
            const label = `${windowName} stage=${stage} segment=${segment} guest=${who}`;
            if (qualifies) {
              expect(res.data?.checkout?.discount, label).toBe(250);
              // Undo the visit so the guest keeps their stage for the next case (and voiding is exercised).
              await t.gql('mutation($id: ID!) { voidOrder(orderId: $id, reason: "matrix") { id } }', { id: order.id }, t.tokens.MANAGER);
            } else {
              expect(res.errors?.[0]?.extensions?.code, label).toBe('BAD_USER_INPUT');
              expect(res.errors?.[0]?.extensions?.field, label).toBe('promotionCode');
            }
            cases++;
          }
        }
      }
    }
    expect(cases).toBe(54);
  });

  it('refuses bad promotions with BAD_USER_INPUT or CONFLICT', async () => {
    const make = (i: Record<string, unknown>) => t.gql('mutation($i: PromotionInput!) { createPromotion(input: $i) { id } }', { i: { name: 'x', ...i } }, t.tokens.MANAGER);
    expect((await make({ code: 'BOTH1', discountPercent: 10, discountAmount: 100 })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await make({ code: 'PCT1', discountPercent: 120 })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await make({ code: 'SEG1', discountPercent: 10, segment: 'whales' })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const code = `DUP${key().slice(0, 6)}`;
    await make({ code, discountAmount: 100 });
    expect((await make({ code: code.toLowerCase(), discountAmount: 100 })).errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });
});

describe('offers', () => {
  it('offers the birthday week, a treat for regulars and promotions, sendable only with opt-in', async () => {
    const g = await customer(t, { birthday: '1990-03-14', marketingOptIn: false });
    const offers = async () =>
      (await t.gql<{ customer: { offers: { id: string; sendable: boolean }[] } }>('query($id: ID!) { customer(id: $id) { offers { id title sendable } } }', { id: g.id }, t.tokens.SERVER)).data!.customer.offers;
    frozen = new Date('2027-03-12T18:00:00Z');
    expect((await offers()).map((o) => o.id)).toContain('birthday:2027');
    expect((await offers()).every((o) => o.sendable === false)).toBe(true);
    frozen = new Date('2027-03-20T18:00:00Z');
    expect((await offers()).map((o) => o.id)).not.toContain('birthday:2027');
    await t.gql('mutation($id: ID!) { updateCustomer(id: $id, input: { marketingOptIn: true }) { id } }', { id: g.id }, t.tokens.SERVER);
    frozen = new Date('2027-03-15T18:00:00Z');
    const withOptIn = await offers();
    expect(withOptIn.find((o) => o.id === 'birthday:2027')?.sendable).toBe(true);
    frozen = null;
  });
});

describe('the register profile', () => {
  it('shows new points right after checkout, and serves loyalty and offers from the cache with no SQL', async () => {
    const phone = `+1415555${String(Math.floor(Math.random() * 9000) + 1000)}`;
    const g = await customer(t, { phone });
    const q = `query($p: String!) { customerLookup(by: { phone: $p }) { loyalty { points tier availableRewards { id } } offers { id title } stats { visitCount } } }`;
    const lookup = async () => {
      const res = await t.gql<{ customerLookup: any }>(q, { p: phone }, t.tokens.SERVER);
      queries.length = 0;
      const again = await t.gql<{ customerLookup: any }>(q, { p: phone }, t.tokens.SERVER);
      return { before: res.data!.customerLookup, warm: again.data!.customerLookup, sql: queries.length };
    };
    expect((await lookup()).warm.loyalty.points).toBe(0);
    const order = (await placeOrder(t, { customerId: g.id, items: [{ menuItemId: steak.id, quantity: 2 }] })).data!.placeOrder;
    await pay(order.id);
    const after = await lookup();
    expect(after.before.loyalty.points).toBe(50);
    expect(after.warm).toEqual(after.before);
    expect(after.sql).toBe(0);
  });
});

describe('greetings', () => {
  it('carry the tier, points and offers to host screens', async () => {
    const phone = `+1510555${String(Math.floor(Math.random() * 9000) + 1000)}`;
    const g = await customer(t, { phone });
    const order = (await placeOrder(t, { customerId: g.id, items: [{ menuItemId: steak.id, quantity: 2 }] })).data!.placeOrder;
    await pay(order.id);
    const sub = t.ws(t.tokens.HOST);
    const got: any[] = [];
    sub.subscribe({ query: 'subscription { guestArrivals { customer { loyalty { tier points } offers { id } } } }' }, { next: (r) => got.push(r), error: () => undefined, complete: () => undefined });
    await new Promise((r) => setTimeout(r, 300));
    const res = await t.gql<{ checkInGuest: any }>('mutation($p: String!) { checkInGuest(by: { phone: $p }) { customer { loyalty { tier points } } } }', { p: phone }, t.tokens.HOST);
    expect(res.data!.checkInGuest.customer.loyalty).toEqual({ tier: 'Silver', points: 50 });
    for (let i = 0; i < 40 && !got.length; i++) await new Promise((r) => setTimeout(r, 50));
    expect(got[0].errors).toBeUndefined();
    expect(got[0].data.guestArrivals.customer.loyalty).toEqual({ tier: 'Silver', points: 50 });
    expect(Array.isArray(got[0].data.guestArrivals.customer.offers)).toBe(true);
  });
});
