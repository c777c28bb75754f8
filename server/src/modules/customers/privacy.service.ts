import type { RequestContext } from '../../common/context.js';
import type { KitchenService } from '../kitchen/kitchen.service.js';
import type { LoyaltyService } from '../loyalty/loyalty.service.js';
import type { OrdersService } from '../orders/orders.service.js';
import type { CustomersService } from './customers.service.js';

/**
 * Erasure and export of a guest's data across the modules that hold some of it: the guest's
 * own rows (customers), their orders (kept for the books, without the person) and kitchen
 * tickets and events (which carried their first name and allergies).
 */
export class PrivacyService {
  constructor(
    private readonly customers: CustomersService,
    private readonly orders: OrdersService,
    private readonly kitchen: KitchenService,
    private readonly loyalty: LoyaltyService,
  ) {}

  async erase(ctx: RequestContext, customerId: string): Promise<boolean> {
    const lookups = await ctx.em.transactional(async (em) => {
      const keys = await this.customers.eraseOwnData(em, customerId);
      const orderIds = await this.orders.forgetCustomer(em, customerId);
      await this.kitchen.forgetGuest(em, orderIds);
      await this.loyalty.forget(em, customerId);
      this.customers.audit(ctx, 'customer_erased', customerId, { orders: orderIds.length }, em);
      await em.flush();
      return keys;
    });
    await this.customers.invalidate(customerId, lookups);
    ctx.log.info({ event: 'customer_erased', customerId }, 'customer erased');
    return true;
  }

  async export(ctx: RequestContext, customerId: string): Promise<Record<string, unknown>> {
    const em = ctx.em.fork();
    const own = await this.customers.exportOwnData(em, customerId);
    const orders = await this.orders.ordersForExport(em, customerId);
    this.customers.audit(ctx, 'customer_exported', customerId, {}, em);
    await em.flush();
    return { exportedAt: new Date().toISOString(), ...own, orders };
  }
}
