import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, ErrorCode } from '../../common/errors.js';
import type { RequestContext } from '../../common/context.js';
import { Customer } from './customer.entity.js';
import { CustomerDish } from './customer-dish.entity.js';
import type { CustomerInput, CustomerPatch } from './customer.inputs.js';
import { statsOf, DishCount, type CustomerStats } from './customer.types.js';
import { newLoyaltyCode, normaliseBirthday, normaliseEmail, normaliseList, normalisePhone } from './contact.js';

/** What one paid order adds to its guest's profile. */
export interface Visit {
  at: Date;
  /** Minor units: the order's total less the tip. */
  spend: number;
  dishes: { menuItemId: string; quantity: number }[];
}

const UNIQUE_FIELDS: Record<string, string> = {
  customer_phone_unique: 'phone',
  customer_email_unique: 'email',
};

export class CustomersService {
  constructor(private readonly opts: { phoneRegion: string }) {}

  async createCustomer(ctx: RequestContext, input: CustomerInput): Promise<Customer> {
    const customer = ctx.em.create(Customer, {
      firstName: input.firstName.trim(),
      lastName: input.lastName?.trim() || null,
      phone: normalisePhone(input.phone, this.opts.phoneRegion),
      email: normaliseEmail(input.email),
      birthday: normaliseBirthday(input.birthday),
      allergies: normaliseList(input.allergies),
      tags: normaliseList(input.tags),
      notes: input.notes?.trim() || null,
      marketingOptIn: input.marketingOptIn ?? false,
      loyaltyCode: newLoyaltyCode(),
    });
    // A loyalty code collision (1 in 10^12 per pair) gets a fresh code; contact conflicts are the caller's.
    for (let attempt = 0; ; attempt++) {
      try {
        await ctx.em.flush();
        break;
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException && /loyalty_code/.test(err.message) && attempt < 3) {
          customer.loyaltyCode = newLoyaltyCode();
          continue;
        }
        throw this.conflict(err);
      }
    }
    ctx.log.info({ event: 'customer_created', customerId: customer.id }, 'customer created');
    return customer;
  }

  async updateCustomer(ctx: RequestContext, id: string, patch: CustomerPatch): Promise<Customer> {
    const c = await this.requireCustomer(ctx.em, id);
    if (patch.firstName != null) c.firstName = patch.firstName.trim();
    if (patch.lastName !== undefined) c.lastName = patch.lastName?.trim() || null;
    if (patch.phone !== undefined) c.phone = normalisePhone(patch.phone, this.opts.phoneRegion);
    if (patch.email !== undefined) c.email = normaliseEmail(patch.email);
    if (patch.birthday !== undefined) c.birthday = normaliseBirthday(patch.birthday);
    if (patch.allergies != null) c.allergies = normaliseList(patch.allergies);
    if (patch.tags != null) c.tags = normaliseList(patch.tags);
    if (patch.notes !== undefined) c.notes = patch.notes?.trim() || null;
    if (patch.marketingOptIn != null) c.marketingOptIn = patch.marketingOptIn;
    try {
      await ctx.em.flush();
    } catch (err) {
      throw this.conflict(err);
    }
    return c;
  }

  getCustomer(ctx: RequestContext, id: string): Promise<Customer | null> {
    return ctx.em.findOne(Customer, { id });
  }

  async requireCustomer(em: EntityManager, id: string): Promise<Customer> {
    const c = await em.findOne(Customer, { id });
    if (!c) throw AppError.notFound('Customer', id);
    return c;
  }

  stats(customer: Customer): CustomerStats {
    return statsOf(customer);
  }

  /** Go-to dishes: most ordered first, ties broken by the most recently ordered. */
  async usualDishes(ctx: RequestContext, customerId: string, limit: number): Promise<DishCount[]> {
    if (!Number.isInteger(limit) || limit < 0) throw AppError.badInput('limit', 'must not be negative');
    if (limit === 0) return [];
    const rows = await ctx.em.find(
      CustomerDish,
      { customer: customerId },
      { orderBy: { count: 'desc', lastOrderedAt: 'desc' }, limit: Math.min(limit, 20), populate: ['menuItem'] },
    );
    return rows.map((r) => Object.assign(new DishCount(), { menuItem: r.menuItem, count: r.count }));
  }

  /**
   * Adds one paid order to the guest's profile, inside the caller's (checkout) transaction.
   * Two statements whatever the guest's history: one UPDATE of the customer row, one upsert
   * of their dish counts.
   */
  async recordVisit(em: EntityManager, customerId: string, visit: Visit): Promise<void> {
    await em.execute(
      `update "customer" set
         "visit_count" = "visit_count" + 1,
         "total_spent" = "total_spent" + ?,
         "first_visit_at" = least(coalesce("first_visit_at", ?::timestamptz), ?::timestamptz),
         "last_visit_at" = greatest(coalesce("last_visit_at", ?::timestamptz), ?::timestamptz),
         "updated_at" = now()
       where "id" = ?`,
      [visit.spend, visit.at, visit.at, visit.at, visit.at, customerId],
    );
    const perDish = new Map<string, number>();
    for (const d of visit.dishes) perDish.set(d.menuItemId, (perDish.get(d.menuItemId) ?? 0) + d.quantity);
    if (perDish.size === 0) return;
    const values = [...perDish].map(() => '(?::uuid, ?::uuid, ?::int, ?::timestamptz)').join(', ');
    const params = [...perDish].flatMap(([menuItemId, count]) => [customerId, menuItemId, count, visit.at]);
    await em.execute(
      `insert into "customer_dish" ("customer_id", "menu_item_id", "count", "last_ordered_at") values ${values}
       on conflict ("customer_id", "menu_item_id") do update set
         "count" = "customer_dish"."count" + excluded."count",
         "last_ordered_at" = greatest("customer_dish"."last_ordered_at", excluded."last_ordered_at")`,
      params,
    );
  }

  private conflict(err: unknown): unknown {
    if (err instanceof UniqueConstraintViolationException) {
      for (const [constraint, field] of Object.entries(UNIQUE_FIELDS)) {
        if (err.message.includes(constraint)) {
          return new AppError(ErrorCode.CONFLICT, `${field}: another customer already has this ${field}`, { field });
        }
      }
    }
    return err;
  }
}
