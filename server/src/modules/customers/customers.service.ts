import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, ErrorCode } from '../../common/errors.js';
import { lookupAdmitted } from '../../common/rate-limits.js';
import type { RequestContext } from '../../common/context.js';
import type { Statement } from '../../common/statement.js';
import { decodeCursor, encodeCursor, pageSize, PageInfo } from '../../common/pagination.js';
import type { EventBus } from '../../infra/pubsub.js';
import { Customer, SEARCH_EXPRESSION } from './customer.entity.js';
import { CustomerDish } from './customer-dish.entity.js';
import { ClassificationDue } from './classification-due.entity.js';
import type { CustomerInput, CustomerLookupInput, CustomerPatch, InteractionInput } from './customer.inputs.js';
import { CustomerConnection, DishCount, SegmentSummary, statsOf, type CustomerStats } from './customer.types.js';
import { newLoyaltyCode, normaliseBirthday, normaliseEmail, normaliseList, normalisePhone } from './contact.js';
import { GuestGreeting, greetingMessage } from './greeting.js';
import { Interaction, InteractionKind } from './interaction.entity.js';
import { auditHistory, recordAudit, writeAudit } from '../audit/audit.js';
import { mayRead, principalOf } from '../../common/access.js';
import { LifecycleStage, SEGMENTS, type LifecycleRules } from './lifecycle.js';
import type { ProfileCache } from './profile-cache.js';
import { ProfileProjection, type LockedFacts, type Visit } from './projection.js';
import { CACHED_DISHES, CUSTOMER_FIELDS, lookupsOf, MENU_FIELDS, pick, RegisterProfiles, type ProfileExtension, type ProfileJson } from './register-profile.js';

export type { Visit } from './projection.js';
export type { ProfileExtension } from './register-profile.js';

export const GUEST_ARRIVED = 'GUEST_ARRIVED';

const UNIQUE_FIELDS: Record<string, string> = {
  customer_phone_unique: 'phone',
  customer_email_unique: 'email',
};

export interface CustomersOptions {
  phoneRegion: string;
  lifecycle: LifecycleRules;
  clock?: () => Date;
  /** The ORM's own EntityManager: the register's profile read borrows the pool through it (RegisterProfiles). */
  readEm: EntityManager;
}

export class CustomersService {
  private readonly clock: () => Date;
  private readonly projection: ProfileProjection;
  /** The register's profile: found by phone, email or code, from the cache or one statement. */
  private readonly profiles: RegisterProfiles;
  constructor(
    private readonly opts: CustomersOptions,
    private readonly cache: ProfileCache,
    private readonly bus: EventBus,
  ) {
    this.clock = opts.clock ?? (() => new Date());
    this.profiles = new RegisterProfiles(cache, opts.phoneRegion, opts.readEm);
    this.projection = new ProfileProjection(opts.lifecycle, this.clock, (id) => this.cache.invalidate(id));
  }

  /** Other modules put their part of the register profile into the cached profile this way. */
  registerProfileExtension(name: string, build: ProfileExtension): void {
    this.profiles.extend(name, build);
  }

  // ------------------------------------------------------------------ enrol and edit

  async createCustomer(ctx: RequestContext, input: CustomerInput): Promise<Customer> {
    const optIn = input.marketingOptIn ?? false;
    const customer = ctx.em.create(Customer, {
      firstName: input.firstName.trim(),
      lastName: input.lastName?.trim() || null,
      phone: normalisePhone(input.phone, this.opts.phoneRegion),
      email: normaliseEmail(input.email),
      birthday: normaliseBirthday(input.birthday),
      allergies: normaliseList(input.allergies),
      tags: normaliseList(input.tags),
      notes: input.notes?.trim() || null,
      marketingOptIn: optIn,
      marketingOptInChangedAt: optIn ? this.clock() : null,
      marketingOptInChangedBy: optIn ? (ctx.actor?.id ?? null) : null,
      loyaltyCode: newLoyaltyCode(),
    });
    if (optIn) this.audit(ctx, 'marketing_opt_in', customer.id, { value: true });
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
    const before = lookupsOf(c);
    if (patch.firstName != null) c.firstName = patch.firstName.trim();
    if (patch.lastName !== undefined) c.lastName = patch.lastName?.trim() || null;
    if (patch.phone !== undefined) c.phone = normalisePhone(patch.phone, this.opts.phoneRegion);
    if (patch.email !== undefined) c.email = normaliseEmail(patch.email);
    if (patch.birthday !== undefined) c.birthday = normaliseBirthday(patch.birthday);
    if (patch.allergies != null) c.allergies = normaliseList(patch.allergies);
    if (patch.tags != null) c.tags = normaliseList(patch.tags);
    if (patch.notes !== undefined) c.notes = patch.notes?.trim() || null;
    if (patch.marketingOptIn != null && patch.marketingOptIn !== c.marketingOptIn) {
      c.marketingOptIn = patch.marketingOptIn;
      c.marketingOptInChangedAt = this.clock();
      c.marketingOptInChangedBy = ctx.actor?.id ?? null;
      this.audit(ctx, 'marketing_opt_in', c.id, { value: patch.marketingOptIn });
    }
    try {
      await ctx.em.flush();
    } catch (err) {
      throw this.conflict(err);
    }
    await this.cache.invalidate(c.id, before);
    return c;
  }

  async getCustomer(ctx: RequestContext, id: string): Promise<Customer | null> {
    const c = await ctx.em.findOne(Customer, { id, erasedAt: null });
    if (c) await this.auditProfileRead(ctx, c.id);
    return c;
  }

  /** Reads of a whole profile (contact data, notes, spend) are audited; the register's reads are not. */
  private async auditProfileRead(ctx: RequestContext, customerId: string): Promise<void> {
    if (ctx.actor && mayRead('Customer.phone', principalOf(ctx.actor))) {
      await writeAudit(ctx, { action: 'profile_read', subjectId: customerId, at: this.clock() });
    }
  }

  async requireCustomer(em: EntityManager, id: string): Promise<Customer> {
    const c = await em.findOne(Customer, { id, erasedAt: null });
    if (!c) throw AppError.notFound('Customer', id);
    return c;
  }

  /**
   * requireCustomer for a new order, as a statement for the caller to run with its own first one:
   * only what the order's kitchen tickets may carry, no entity. orderGuest reads its rows.
   */
  orderGuestRead(id: string): Statement {
    return { sql: `select "first_name", "allergies" from "customer" where "id" = ?::uuid and "erased_at" is null`, params: [id] };
  }

  orderGuest(id: string, rows: readonly Record<string, unknown>[]): { id: string; firstName: string; allergies: string[] } {
    const row = rows[0] as { first_name: string; allergies: string[] } | undefined;
    if (!row) throw AppError.notFound('Customer', id);
    return { id, firstName: row.first_name, allergies: row.allergies };
  }

  stats(customer: Customer): CustomerStats {
    return statsOf(customer);
  }

  // ------------------------------------------------------------------ the checkout hot path

  /**
   * Finds a guest by phone (any common format), email (any case) or loyalty code: the cache
   * first (no SQL when warm), else PostgreSQL, filling the cache.
   */
  async lookup(ctx: RequestContext, by: CustomerLookupInput): Promise<Customer | null> {
    const key = this.profiles.key(by);
    const customer = await this.profiles.find(key, lookupAdmitted(ctx));
    if (customer) await this.auditProfileRead(ctx, customer.id);
    return customer;
  }

  /** Drops a guest's cached profile; services call it right after their write commits. */
  async invalidate(customerId: string, lookups: string[] = []): Promise<void> {
    await this.cache.invalidate(customerId, lookups);
  }

  /** Go-to dishes: most ordered first, ties broken by the most recently ordered. */
  async usualDishes(ctx: RequestContext, customer: Customer, limit: number): Promise<DishCount[]> {
    if (!Number.isInteger(limit) || limit < 0) throw AppError.badInput('limit', 'must not be negative');
    if (customer.cachedDishes && limit <= CACHED_DISHES) return customer.cachedDishes.slice(0, limit);
    return this.dishes(ctx.em, customer.id, Math.min(limit, 20));
  }

  private async dishes(em: EntityManager, customerId: string, limit: number): Promise<DishCount[]> {
    if (limit === 0) return [];
    const rows = await em.find(CustomerDish, { customer: customerId }, { orderBy: { count: 'desc', lastOrderedAt: 'desc' }, limit, populate: ['menuItem'] });
    return rows.map((r) => Object.assign(new DishCount(), { menuItem: r.menuItem, count: r.count }));
  }

  /** checkout's read of the order's guest, their row locked: see ProfileProjection.lockedFacts. */
  lockedFacts(orderId: string): Statement {
    return this.projection.lockedFacts(orderId);
  }

  /** The same read of a known guest, run on its own (null when the guest is gone). */
  lockFacts(em: EntityManager, customerId: string): Promise<LockedFacts | null> {
    return this.projection.lockFacts(em, customerId);
  }

  /** Adds one paid order to the profile of a guest read by lockedFacts, as writes for the caller's last statement. */
  visitWrites(locked: LockedFacts, visit: Visit): Statement[] {
    return this.projection.visitWrites(locked, visit);
  }

  /** Takes a voided paid order back out of the profile, inside the caller's transaction. */
  reverseVisit(em: EntityManager, customerId: string, v: Parameters<ProfileProjection['reverse']>[2]): Promise<void> {
    return this.projection.reverse(em, customerId, v);
  }

  /** Reclassifies the guests whose stage can have moved with the clock alone. Run periodically. */
  refreshClassifications(em: EntityManager, batch = 1_000): Promise<number> {
    return this.projection.refreshDue(em, batch);
  }

  // ------------------------------------------------------------------ search and segments

  async customers(
    ctx: RequestContext,
    args: { search?: string | null; lifecycleStage?: LifecycleStage | null; segment?: string | null; first?: number | null; after?: string | null },
  ): Promise<CustomerConnection> {
    const size = pageSize(args.first, 50);
    const cursor = decodeCursor(args.after);
    const where: string[] = ['"erased_at" is null'];
    const params: unknown[] = [];
    if (args.lifecycleStage) {
      where.push('"lifecycle_stage" = ?');
      params.push(args.lifecycleStage);
    }
    if (args.segment) {
      where.push('"segments" @> array[?]::text[]');
      params.push(args.segment.trim().toLowerCase());
    }
    const search = args.search?.trim().toLowerCase();
    if (search) {
      // A phone fragment is matched on its digits alone ("(415) 555" finds +1415555...).
      const digits = search.replace(/[\s().+-]/g, '');
      const term = /^\d{3,}$/.test(digits) ? digits : search;
      if (term.length < 2) throw AppError.badInput('search', 'must be at least 2 characters');
      where.push(`${SEARCH_EXPRESSION} like ?`);
      params.push(`%${term.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
    }
    const filter = where.join(' and ');
    const [{ n }] = await ctx.em.execute<{ n: number }[]>(`select count(*)::int as n from "customer" where ${filter}`, params);
    const keyset = cursor ? ' and ("created_at", "id") < (?::timestamptz, ?::uuid)' : '';
    const ids = await ctx.em.execute<{ id: string }[]>(
      `select "id" from "customer" where ${filter}${keyset} order by "created_at" desc, "id" desc limit ?`,
      [...params, ...(cursor ? [cursor.at, cursor.id] : []), size + 1],
    );
    const page = ids.slice(0, size).map((r) => r.id);
    const found = new Map((await ctx.em.find(Customer, { id: { $in: page } })).map((c) => [c.id, c]));
    const nodes = page.map((id) => found.get(id)!).filter(Boolean);
    const last = nodes.at(-1);
    return Object.assign(new CustomerConnection(), {
      nodes,
      totalCount: n,
      pageInfo: Object.assign(new PageInfo(), { hasNextPage: ids.length > size, endCursor: last ? encodeCursor({ at: last.createdAt, id: last.id }) : null }),
    });
  }

  async segments(ctx: RequestContext): Promise<SegmentSummary[]> {
    const rows = await ctx.em.execute<{ segment: string; n: number }[]>(
      `select s as segment, count(*)::int as n from "customer", unnest("segments") as s where "erased_at" is null group by s`,
    );
    const counts = new Map(rows.map((r) => [r.segment, r.n]));
    return SEGMENTS.map((segment) => Object.assign(new SegmentSummary(), { segment, customerCount: counts.get(segment) ?? 0 }));
  }

  // ------------------------------------------------------------------ interactions and recognition

  async addInteraction(ctx: RequestContext, customerId: string, input: InteractionInput): Promise<Interaction> {
    if (input.kind === InteractionKind.VISIT) throw AppError.badInput('kind', 'visits are recorded by checkInGuest');
    const customer = await this.requireCustomer(ctx.em, customerId);
    const interaction = ctx.em.create(Interaction, {
      customer,
      kind: input.kind,
      note: input.note.trim(),
      staff: ctx.actor?.kind === 'staff' ? ctx.actor.id : null,
      createdAt: this.clock(),
    });
    await ctx.em.flush();
    await this.cache.invalidate(customerId);
    return interaction;
  }

  interactions(ctx: RequestContext, customerId: string, first: number): Promise<Interaction[]> {
    return ctx.em.find(Interaction, { customer: customerId }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: pageSize(first, 20), populate: ['staff'] });
  }

  /**
   * The host stand recognises an arriving guest: records a VISIT interaction and greets them on
   * every host screen on every instance. The greeting carries everything a host screen shows.
   */
  async checkIn(ctx: RequestContext, by: CustomerLookupInput, partySize: number | null | undefined): Promise<GuestGreeting> {
    if (partySize != null && (!Number.isInteger(partySize) || partySize < 1 || partySize > 100)) throw AppError.badInput('partySize', 'must be 1 to 100');
    const customer = await this.lookup(ctx, by);
    if (!customer) throw new AppError(ErrorCode.NOT_FOUND, 'No guest found with that phone, email or loyalty code');
    const now = this.clock();
    ctx.em.create(Interaction, {
      customer: ctx.em.getReference(Customer, customer.id),
      kind: InteractionKind.VISIT,
      note: partySize ? `Checked in, party of ${partySize}` : 'Checked in',
      staff: ctx.actor?.kind === 'staff' ? ctx.actor.id : null,
      createdAt: now,
    });
    await ctx.em.flush();
    const usualDishes = (customer.cachedDishes ?? (await this.dishes(ctx.em, customer.id, 3))).slice(0, 3);
    const isRegular = customer.lifecycleStage === LifecycleStage.REGULAR || (customer.visitCount >= this.opts.lifecycle.regularVisits && customer.lifecycleStage !== LifecycleStage.LAPSED);
    const greeting = Object.assign(new GuestGreeting(), {
      customer,
      partySize: partySize ?? null,
      arrivedAt: now,
      isRegular,
      usualDishes,
      message: greetingMessage(
        { firstName: customer.firstName, visitCount: customer.visitCount, stage: customer.lifecycleStage, lastVisitAt: customer.lastVisitAt, usual: usualDishes.map((d) => d.menuItem.name) },
        now,
      ),
    });
    // Across instances as JSON; contact data never travels with a greeting.
    void this.bus.publish(GUEST_ARRIVED, {
      customer: { ...pick(customer, CUSTOMER_FIELDS), phone: null, email: null, notes: null },
      extras: customer.cachedExtras ?? {},
      usualDishes: usualDishes.map((d) => ({ count: d.count, menuItem: pick(d.menuItem, MENU_FIELDS) })),
      partySize: greeting.partySize,
      arrivedAt: now.toISOString(),
      isRegular,
      message: greeting.message,
    });
    return greeting;
  }

  /** Rebuilds a greeting from what the bus carried. */
  greetingFromEvent(e: {
    customer: Record<string, unknown>;
    usualDishes: ProfileJson['usualDishes'];
    extras?: Record<string, unknown>;
    partySize: number | null;
    arrivedAt: string;
    isRegular: boolean;
    message: string;
  }): GuestGreeting {
    const customer = this.profiles.fromProfile({ customer: e.customer, usualDishes: e.usualDishes, extras: e.extras });
    return Object.assign(new GuestGreeting(), {
      customer,
      partySize: e.partySize,
      arrivedAt: new Date(e.arrivedAt),
      isRegular: e.isRegular,
      message: e.message,
      usualDishes: customer.cachedDishes ?? [],
    });
  }

  // ------------------------------------------------------------------ privacy

  /** Erases the guest's own rows (the privacy service clears what other modules hold). Returns the cache keys to purge. */
  async eraseOwnData(em: EntityManager, customerId: string): Promise<string[]> {
    const c = await this.requireCustomer(em, customerId);
    const lookups = lookupsOf(c);
    await em.nativeDelete(Interaction, { customer: customerId });
    await em.nativeDelete(CustomerDish, { customer: customerId });
    await em.nativeDelete(ClassificationDue, { customer: customerId });
    Object.assign(c, {
      firstName: 'Erased',
      lastName: null,
      phone: null,
      email: null,
      birthday: null,
      allergies: [],
      tags: [],
      notes: null,
      marketingOptIn: false,
      marketingOptInChangedAt: null,
      marketingOptInChangedBy: null,
      loyaltyCode: newLoyaltyCode(),
      visitCount: 0,
      totalSpent: 0,
      firstVisitAt: null,
      lastVisitAt: null,
      lifecycleStage: LifecycleStage.NEW,
      segments: [],
      erasedAt: this.clock(),
    });
    return lookups;
  }

  /** Everything held about a guest in this module, for an export. */
  async exportOwnData(em: EntityManager, customerId: string): Promise<Record<string, unknown>> {
    const c = await this.requireCustomer(em, customerId);
    const interactions = await em.find(Interaction, { customer: customerId }, { orderBy: { createdAt: 'asc' }, populate: ['staff'] });
    const dishes = await this.dishes(em, customerId, 1_000);
    const consent = await auditHistory(em, customerId, 'marketing_opt_in');
    return {
      profile: { ...pick(c, CUSTOMER_FIELDS), marketingOptInChangedAt: c.marketingOptInChangedAt, marketingOptInChangedBy: c.marketingOptInChangedBy },
      stats: statsOf(c),
      dishes: dishes.map((d) => ({ name: d.menuItem.name, count: d.count })),
      interactions: interactions.map((i) => ({ kind: i.kind, note: i.note, by: i.staff?.name ?? null, at: i.createdAt })),
      marketingConsent: consent.map((a) => ({ value: a.details.value, by: a.actorId, at: a.at })),
    };
  }

  audit(ctx: RequestContext, action: string, subjectId: string, details: Record<string, unknown> = {}, em: EntityManager = ctx.em): void {
    recordAudit(em, ctx, { action, subjectId, details, at: this.clock() });
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
