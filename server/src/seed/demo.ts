import type { Services } from '../app.js';
import type { RequestContext } from '../common/context.js';
import type { Logger } from '../infra/logger.js';
import { Role } from '../common/roles.js';
import { Staff } from '../modules/auth/staff.entity.js';
import { MenuItem } from '../modules/menu/menu-item.entity.js';
import { DEMO_MENU } from './demo-menu.js';

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
  log.info({ event: 'demo_seeded', staffAdded, itemsAdded }, 'demo restaurant ready');
}
