import { appendedRowId } from '../../common/ids.js';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, ErrorCode } from '../../common/errors.js';
import type { RequestContext } from '../../common/context.js';
import type { OrderTotals } from '../../common/money.js';
import { asCte, type Statement } from '../../common/statement.js';
import type { EventBus } from '../../infra/pubsub.js';
import { Customer } from '../customers/customer.entity.js';
import type { CustomersService } from '../customers/customers.service.js';
import { LifecycleStage, SEGMENTS } from '../customers/lifecycle.js';
import { MenuItem } from '../menu/menu-item.entity.js';
import type { Order } from '../orders/order.entity.js';
import type { CheckoutHooks } from '../orders/orders.service.js';
import { PointsAccount, PointsEntry, PointsKind, Promotion, Reward } from './loyalty.entities.js';
import { LoyaltyAccountView, Offer, type PromotionInput, type RewardInput } from './loyalty.types.js';
import { inBirthdayWeek, isActive, pointsEarned, promotionDiscount, tierFor, whyNot, type Tier } from './rules.js';

/** Bus topic: promotions or rewards changed; every instance reloads its catalog. */
export const LOYALTY_CATALOG_CHANGED = 'LOYALTY_CATALOG_CHANGED';
const CATALOG_TTL_MS = 60_000;

export interface LoyaltyOptions {
  pointsPerUnit: number;
  tiers: Tier[];
  clock?: () => Date;
}

interface CachedPoints {
  points: number;
  lifetimePoints: number;
}

function money(minor: number): string {
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
}

/**
 * Points, rewards, promotions and offers. Plugs into checkout through CheckoutHooks (discount
 * and earning, in the checkout transaction), and into the cached register profile (points).
 * Promotions and rewards are a small catalog kept in memory on each instance, reloaded when
 * one changes anywhere (bus) and every minute, so offers are computed at read time from the
 * cached profile with no SQL, always for the current clock.
 */
export class LoyaltyService implements CheckoutHooks {
  private readonly clock: () => Date;
  private catalog: { promotions: Promotion[]; rewards: Reward[]; at: number } | null = null;
  private loading: Promise<{ promotions: Promotion[]; rewards: Reward[] }> | null = null;
  private generation = 0;
  private stopWatching: (() => void) | null = null;

  constructor(
    private readonly em: () => EntityManager,
    private readonly customers: CustomersService,
    private readonly bus: EventBus,
    private readonly opts: LoyaltyOptions,
  ) {
    this.clock = opts.clock ?? (() => new Date());
    // The guest's points in the cached register profile (CachedPoints), read in the profile's statement.
    customers.registerProfileExtension('loyalty', {
      sql: (em) => {
        const meta = em.getMetadata().find(PointsAccount)!;
        const col = (prop: 'points' | 'lifetimePoints' | 'customer') => `a."${meta.properties[prop]!.fieldNames[0]}"`;
        return (
          `select json_build_object('points', coalesce(max(${col('points')}), 0), 'lifetimePoints', coalesce(max(${col('lifetimePoints')}), 0))` +
          ` from "${meta.tableName}" a where ${col('customer')} = c."id"`
        );
      },
    });
  }

  start(): void {
    const events = this.bus.subscribe(LOYALTY_CATALOG_CHANGED)[Symbol.asyncIterator]();
    void (async () => {
      for (;;) {
        const next = await events.next();
        if (next.done) return;
        this.forgetCatalog();
      }
    })();
    this.stopWatching = () => void events.return?.();
  }

  close(): void {
    this.stopWatching?.();
  }

  private async loadCatalog(): Promise<{ promotions: Promotion[]; rewards: Reward[] }> {
    if (this.catalog && Date.now() - this.catalog.at < CATALOG_TTL_MS) return this.catalog;
    // Fields resolved side by side (a profile's loyalty and offers) share one read.
    if (!this.loading) {
      const loading = this.readCatalog().finally(() => {
        if (this.loading === loading) this.loading = null;
      });
      this.loading = loading;
    }
    return this.loading;
  }

  private async readCatalog(): Promise<{ promotions: Promotion[]; rewards: Reward[] }> {
    const generation = this.generation;
    const em = this.em();
    const [promotions, rewards] = await Promise.all([
      em.find(Promotion, {}, { orderBy: { createdAt: 'desc' } }),
      em.find(Reward, { active: true }, { orderBy: { pointsCost: 'asc' }, populate: ['freeMenuItem'] }),
    ]);
    const catalog = { promotions, rewards, at: Date.now() };
    // A change while reading: this read may predate it, so it answers its callers but is not kept.
    if (generation === this.generation) this.catalog = catalog;
    return catalog;
  }

  /** Forgets the catalog (and any read in flight) after a change. */
  private forgetCatalog(): void {
    this.catalog = null;
    this.loading = null;
    this.generation++;
  }

  private changed(): void {
    this.forgetCatalog();
    void this.bus.publish(LOYALTY_CATALOG_CHANGED, {});
  }

  // ------------------------------------------------------------------ catalog

  async createReward(ctx: RequestContext, input: RewardInput): Promise<Reward> {
    if ((input.discountAmount == null) === (input.freeMenuItemId == null)) {
      throw AppError.badInput('discountAmount', 'give either discountAmount or freeMenuItemId');
    }
    const freeMenuItem = input.freeMenuItemId ? await ctx.em.findOne(MenuItem, { id: input.freeMenuItemId }) : null;
    if (input.freeMenuItemId && !freeMenuItem) throw AppError.badInput('freeMenuItemId', 'no such menu item');
    const reward = ctx.em.create(Reward, { name: input.name.trim(), pointsCost: input.pointsCost, discountAmount: input.discountAmount ?? null, freeMenuItem });
    await ctx.em.flush();
    this.changed();
    return reward;
  }

  async rewards(_ctx: RequestContext): Promise<Reward[]> {
    return (await this.loadCatalog()).rewards;
  }

  async createPromotion(ctx: RequestContext, input: PromotionInput): Promise<Promotion> {
    if ((input.discountPercent == null) === (input.discountAmount == null)) {
      throw AppError.badInput('discountPercent', 'give either discountPercent or discountAmount');
    }
    if (input.startsAt && input.endsAt && input.endsAt <= input.startsAt) throw AppError.badInput('endsAt', 'must be after startsAt');
    const segment = input.segment?.trim().toLowerCase() || null;
    if (segment && !(SEGMENTS as readonly string[]).includes(segment)) throw AppError.badInput('segment', `must be one of ${SEGMENTS.join(', ')}`);
    const promotion = ctx.em.create(Promotion, {
      name: input.name.trim(),
      code: input.code.trim().toUpperCase(),
      discountPercent: input.discountPercent ?? null,
      discountAmount: input.discountAmount ?? null,
      lifecycleStage: input.lifecycleStage ?? null,
      segment,
      startsAt: input.startsAt ?? null,
      endsAt: input.endsAt ?? null,
    });
    try {
      await ctx.em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw new AppError(ErrorCode.CONFLICT, 'code: another promotion uses this code', { field: 'code' });
      throw err;
    }
    this.changed();
    return this.withActive(promotion);
  }

  async promotions(_ctx: RequestContext): Promise<Promotion[]> {
    return (await this.loadCatalog()).promotions.map((p) => this.withActive(p));
  }

  private withActive(p: Promotion): Promotion {
    p.active = isActive(p, this.clock());
    return p;
  }

  // ------------------------------------------------------------------ a guest's account and offers

  /** From the cached profile when there is one (no SQL), else from the account row. */
  async account(ctx: RequestContext, customer: Customer): Promise<LoyaltyAccountView> {
    const cached = customer.cachedExtras?.loyalty as CachedPoints | undefined;
    const points = cached ?? (await (async () => {
      const a = await ctx.em.findOne(PointsAccount, { customer: customer.id });
      return { points: a?.points ?? 0, lifetimePoints: a?.lifetimePoints ?? 0 };
    })());
    const { rewards } = await this.loadCatalog();
    return Object.assign(new LoyaltyAccountView(), {
      points: points.points,
      lifetimePoints: points.lifetimePoints,
      tier: tierFor(points.lifetimePoints, this.opts.tiers),
      availableRewards: rewards.filter((r) => r.pointsCost <= points.points),
    });
  }

  /**
   * What the guest qualifies for now: active promotions that target them, and personalised
   * offers from their history (a treat with a regular's usual, the birthday week, a win-back
   * for at-risk and lapsed guests). All may be shown in the restaurant; `sendable` (to email or
   * text the guest) only with their marketing opt-in.
   */
  async offers(ctx: RequestContext, customer: Customer): Promise<Offer[]> {
    const now = this.clock();
    const { promotions } = await this.loadCatalog();
    const sendable = customer.marketingOptIn;
    const offers: Offer[] = [];
    for (const p of promotions) {
      if (whyNot(p, customer, now) !== null) continue;
      const what = p.discountPercent != null ? `${p.discountPercent}% off` : `${money(p.discountAmount ?? 0)} off`;
      offers.push(Object.assign(new Offer(), { id: `promotion:${p.id}`, title: p.name, description: `${what} with code ${p.code}`, promotion: this.withActive(p), menuItem: null, sendable }));
    }
    if (customer.lifecycleStage === LifecycleStage.REGULAR) {
      const [usual] = await this.customers.usualDishes(ctx, customer, 1);
      if (usual) {
        offers.push(
          Object.assign(new Offer(), {
            id: `usual:${usual.menuItem.id}`,
            title: `A treat with your usual ${usual.menuItem.name}`,
            description: 'Dessert on the house with your usual, for being one of our regulars.',
            promotion: null,
            menuItem: usual.menuItem,
            sendable,
          }),
        );
      }
    }
    if (inBirthdayWeek(customer.birthday, now)) {
      offers.push(
        Object.assign(new Offer(), { id: `birthday:${now.getUTCFullYear()}`, title: 'Happy birthday!', description: 'A dessert on the house during your birthday week.', promotion: null, menuItem: null, sendable }),
      );
    }
    if (customer.lifecycleStage === LifecycleStage.AT_RISK || customer.lifecycleStage === LifecycleStage.LAPSED) {
      offers.push(
        Object.assign(new Offer(), { id: 'win-back', title: 'We miss you', description: 'A drink on the house on your next visit.', promotion: null, menuItem: null, sendable }),
      );
    }
    return offers;
  }

  // ------------------------------------------------------------------ checkout hooks

  async discountFor(em: EntityManager, order: Order, input: { promotionCode?: string | null; rewardId?: string | null }): Promise<number> {
    if (input.promotionCode && input.rewardId) throw AppError.badInput('rewardId', 'one discount per order: a promotion code or a reward');
    const lines = order.lines.getItems();
    const subtotal = lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0);
    if (input.promotionCode) {
      const guest = order.customer ? await em.findOne(Customer, { id: order.customer.id }) : null;
      const promo = await em.findOne(Promotion, { code: input.promotionCode.trim().toUpperCase() });
      if (!promo) throw AppError.badInput('promotionCode', 'no promotion has this code');
      const reason = whyNot(promo, guest, this.clock());
      if (reason) throw AppError.badInput('promotionCode', reason);
      return promotionDiscount(subtotal, promo);
    }
    if (input.rewardId) {
      const guest = order.customer;
      if (!guest) throw AppError.badInput('rewardId', 'attach the guest before redeeming a reward');
      const reward = await em.findOne(Reward, { id: input.rewardId, active: true });
      if (!reward) throw AppError.badInput('rewardId', 'no such reward');
      let discount = reward.discountAmount ?? 0;
      if (reward.freeMenuItem) {
        const line = lines.find((l) => l.menuItem.id === reward.freeMenuItem!.id);
        if (!line) throw AppError.badInput('rewardId', `the free item (${reward.freeMenuItem.name}) is not on the order`);
        discount = line.unitPrice;
      }
      const taken = await em.execute<{ points: number }[]>(
        `update "loyalty_account" set "points" = "points" - ?, "updated_at" = now() where "customer_id" = ? and "points" >= ? returning "points"`,
        [reward.pointsCost, guest.id, reward.pointsCost],
      );
      if (!taken.length) {
        const have = (await em.findOne(PointsAccount, { customer: guest.id }))?.points ?? 0;
        throw AppError.badInput('rewardId', `not enough points: ${have} of ${reward.pointsCost}`);
      }
      em.create(PointsEntry, { customer: em.getReference(Customer, guest.id), kind: PointsKind.REDEEM, points: -reward.pointsCost, orderId: order.id, rewardId: reward.id, createdAt: this.clock() });
      return Math.min(discount, subtotal);
    }
    return 0;
  }

  /**
   * Earning, in the checkout transaction: points on what was spent before tax and tip, as the
   * ledger entry and the balance, two common table expressions of checkout's last statement.
   */
  paidWrites(order: Order, totals: OrderTotals): Statement[] {
    if (!order.customer) return [];
    const earned = pointsEarned(totals.subtotal - totals.discount, this.opts.pointsPerUnit);
    if (earned <= 0) return [];
    return [
      asCte('earned_entry', {
        sql: `insert into "points_entry" ("id", "customer_id", "kind", "points", "order_id", "created_at") values (?::uuid, ?::uuid, ?::points_kind, ?, ?::uuid, ?::timestamptz)`,
        params: [appendedRowId(), order.customer.id, PointsKind.EARN, earned, order.id, this.clock()],
      }),
      asCte('earned_balance', {
        sql: `insert into "loyalty_account" ("customer_id", "points", "lifetime_points", "updated_at") values (?::uuid, ?::int, ?::int, now())
          on conflict ("customer_id") do update set "points" = "loyalty_account"."points" + excluded."points",
            "lifetime_points" = "loyalty_account"."lifetime_points" + excluded."lifetime_points", "updated_at" = now()`,
        params: [order.customer.id, earned, earned],
      }),
    ];
  }

  /** Voiding a paid order takes back what it earned and gives back what it redeemed. */
  async onVoid(em: EntityManager, order: Order): Promise<void> {
    if (!order.customer) return;
    const entries = await em.find(PointsEntry, { orderId: order.id, kind: { $in: [PointsKind.EARN, PointsKind.REDEEM] } });
    const delta = -entries.reduce((s, e) => s + e.points, 0);
    if (delta === 0) return;
    const lifetimeDelta = -entries.filter((e) => e.kind === PointsKind.EARN).reduce((s, e) => s + e.points, 0);
    em.create(PointsEntry, { customer: em.getReference(Customer, order.customer.id), kind: PointsKind.ADJUST, points: delta, orderId: order.id, note: 'order voided', createdAt: this.clock() });
    await em.execute(
      `update "loyalty_account" set "points" = greatest(0, "points" + ?), "lifetime_points" = greatest(0, "lifetime_points" + ?), "updated_at" = now() where "customer_id" = ?`,
      [delta, lifetimeDelta, order.customer.id],
    );
  }

  /** Erasure: a guest's points history and account go with them. */
  async forget(em: EntityManager, customerId: string): Promise<void> {
    await em.nativeDelete(PointsEntry, { customer: customerId });
    await em.nativeDelete(PointsAccount, { customer: customerId });
  }

  /** The balance recomputed from the ledger (for audits and tests). */
  async ledgerBalance(em: EntityManager, customerId: string): Promise<number> {
    const [row] = await em.execute<{ n: number }[]>(`select coalesce(sum("points"), 0)::int as n from "points_entry" where "customer_id" = ?`, [customerId]);
    return row?.n ?? 0;
  }
}
