import type { Services } from '../app.js';
import type { RequestContext } from '../common/context.js';
import type { Logger } from '../infra/logger.js';
import { Role } from '../common/roles.js';
import { Staff } from '../modules/auth/staff.entity.js';
import { MenuItem } from '../modules/menu/menu-item.entity.js';
import { DEMO_MENU } from './demo-menu.js';
import { planDemoGuests } from './demo-guests.js';
import { Customer } from '../modules/customers/customer.entity.js';
import { PaymentMethod } from '../modules/orders/order.entity.js';
import { LifecycleStage } from '../modules/customers/lifecycle.js';

/** The demo restaurant's sign-ins, printed by `pnpm start`. Never seeded outside demo mode. */
export const DEMO_LOGINS = {
  password: 'demo-pass-123',
  staff: [
    { role: Role.ADMIN, email: 'admin@demo.pos', name: 'Alex Admin' },
    { role: Role.MANAGER, email: 'manager@demo.pos', name: 'Morgan Manager' },
    { role: Role.SERVER, email: 'server@demo.pos', name: 'Sam Server' },
    { role: Role.HOST, email: 'host@demo.pos', name: 'Harper Host' },
    { role: Role.KITCHEN, email: 'kitchen@demo.pos', name: 'Kai Kitchen' },
  ],
};

/**
 * Seeds the demo restaurant through the same services the API uses, so every invariant
 * (validation, normalised allergens, constraints) holds for demo data too. Idempotent:
 * staff are added by email when missing; the menu only when the menu is empty, so an
 * operator's edits survive restarts.
 */
export async function seedDemo(services: Services, ctx: RequestContext, log: Logger): Promise<void> {
  let staffAdded = 0;
  for (const s of DEMO_LOGINS.staff) {
    if (await ctx.em.count(Staff, { email: s.email })) continue;
    await services.auth.createStaff(ctx, { ...s, password: DEMO_LOGINS.password });
    staffAdded++;
  }
  let itemsAdded = 0;
  if ((await ctx.em.count(MenuItem, {})) === 0) {
    for (const item of DEMO_MENU) {
      await services.menu.createItem(ctx, { ...item, stock: item.stock ?? null });
      itemsAdded++;
    }
  }
  ctx.em.clear();
  if ((await services.loyalty.promotions(ctx)).length === 0) await seedLoyalty(services, ctx);
  const guests = (await ctx.em.count(Customer, {})) === 0 ? await seedGuests(services, ctx, log) : { guests: 0, visits: 0 };
  log.info({ event: 'demo_seeded', staffAdded, itemsAdded, guestsAdded: guests.guests, visitsAdded: guests.visits }, 'demo restaurant ready');
}

/** Rewards and promotions a manager would have set up: before the guests, so their points and offers are real. */
async function seedLoyalty(services: Services, ctx: RequestContext): Promise<void> {
  const fork = (): RequestContext => ({ ...ctx, em: ctx.em.fork() });
  const sorbet = await ctx.em.fork().findOne(MenuItem, { sku: 'DS-SORBET' });
  await services.loyalty.createReward(fork(), { name: '$5 off', pointsCost: 100, discountAmount: 500 });
  if (sorbet) await services.loyalty.createReward(fork(), { name: 'Dessert on us', pointsCost: 150, freeMenuItemId: sorbet.id });
  await services.loyalty.createReward(fork(), { name: '$20 off', pointsCost: 400, discountAmount: 2_000 });
  await services.loyalty.createPromotion(fork(), { name: 'Welcome: 10% off', code: 'WELCOME10', discountPercent: 10, lifecycleStage: LifecycleStage.NEW });
  await services.loyalty.createPromotion(fork(), { name: 'We miss you: 15% off', code: 'MISSYOU15', discountPercent: 15, lifecycleStage: LifecycleStage.AT_RISK });
  await services.loyalty.createPromotion(fork(), { name: 'Champions night: $10 off', code: 'CHAMPS10', discountAmount: 1_000, segment: 'champions' });
}

/**
 * Plays six months of visits through placeOrder and checkout, so every guest's stats and
 * usual dishes are what production would have computed. Each operation gets its own
 * EntityManager fork, as each request does; a few run at once to keep the first start short.
 */
async function seedGuests(services: Services, ctx: RequestContext, log: Logger): Promise<{ guests: number; visits: number }> {
  const started = Date.now();
  const now = new Date();
  const fresh = (): RequestContext => ({ ...ctx, em: ctx.em.fork() });
  const server = await ctx.em.findOne(Staff, { email: DEMO_LOGINS.staff.find((s) => s.role === Role.SERVER)!.email });
  if (!server) return { guests: 0, visits: 0 };
  const asServer = (): RequestContext => ({ ...fresh(), actor: { kind: 'staff', id: server.id, role: Role.SERVER, name: server.name } });
  const menu = new Map((await ctx.em.fork().find(MenuItem, {})).map((m) => [m.sku, m.id]));

  const plan = planDemoGuests({ now });
  const visits: { customerId: string; visit: (typeof plan)[number]['visits'][number] }[] = [];
  for (const guest of plan) {
    const customer = await services.customers.createCustomer(fresh(), guest.input);
    for (const visit of guest.visits) visits.push({ customerId: customer.id, visit });
  }
  visits.sort((a, b) => a.visit.at.getTime() - b.visit.at.getTime());

  let next = 0;
  const worker = async () => {
    while (next < visits.length) {
      const i = next++;
      const { customerId, visit } = visits[i]!;
      const items = visit.items.filter((it) => menu.has(it.sku)).map((it) => ({ menuItemId: menu.get(it.sku)!, quantity: it.quantity, modifiers: it.modifiers }));
      if (!items.length) continue;
      const order = await services.orders.placeOrder(
        asServer(),
        { idempotencyKey: `demo-visit-${i}`, customerId, table: String(1 + (i % 24)), items, sendToKitchen: false },
        { at: visit.at },
      );
      const tip = Math.round((order.subtotal * visit.tipPercent) / 100);
      const paidAt = new Date(Math.min(now.getTime(), visit.at.getTime() + 50 * 60_000));
      const cash = visit.method === 'CASH';
      // Cash is rounded up to the next whole note; the rest comes back as change.
      const amount = cash ? Math.ceil((order.total + tip) / 500) * 500 : order.total + tip;
      await services.orders.checkout(
        asServer(),
        order.id,
        { idempotencyKey: `demo-checkout-${i}`, tip, payments: [{ method: cash ? PaymentMethod.CASH : PaymentMethod.CARD, amount, reference: cash ? null : `demo_ch_${i}` }] },
        { at: paidAt },
      );
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));

  // Tonight's service in progress: a few open checks already on the kitchen screens.
  const withAllergies = plan.map((g, i) => ({ g, i })).filter(({ g }) => g.input.allergies.length).slice(0, 2);
  const tonight: { table: string; skus: [string, number][]; guestPhone?: string }[] = [
    { table: '4', skus: [['MN-BURGER', 2], ['SD-FRIES', 2], ['DR-IPA', 2]], guestPhone: withAllergies[0]?.g.input.phone },
    { table: '9', skus: [['MN-SALMON', 1], ['SA-CAESAR', 1], ['DR-HOUSERED', 2]] },
    { table: '12', skus: [['ST-WINGS', 1], ['MN-FISHCH', 2], ['DR-LAGER', 2]], guestPhone: withAllergies[1]?.g.input.phone },
    { table: 'Bar 2', skus: [['DR-OLDFASH', 2], ['ST-NACHOS', 1]] },
    { table: '15', skus: [['MN-STEAKFR', 2], ['SD-MAC', 1], ['DS-BROWNIE', 2]] },
  ];
  for (const [n, check] of tonight.entries()) {
    const customer = check.guestPhone ? await ctx.em.fork().findOne(Customer, { phone: check.guestPhone }) : null;
    await services.orders.placeOrder(asServer(), {
      idempotencyKey: `demo-tonight-${n}`,
      table: check.table,
      customerId: customer?.id ?? null,
      items: check.skus.filter(([sku]) => menu.has(sku)).map(([sku, quantity]) => ({ menuItemId: menu.get(sku)!, quantity })),
      sendToKitchen: true,
    });
  }
  log.info({ event: 'demo_guests_seeded', guests: plan.length, visits: visits.length, ms: Date.now() - started }, 'demo guests and their history seeded');
  return { guests: plan.length, visits: visits.length };
}
