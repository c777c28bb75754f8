/**
 * The guest's profile as a register sees it at checkout: found by phone (any common format),
 * email (any case) or loyalty code, from Redis when warm (no SQL) or else from one statement
 * that builds the cached JSON in PostgreSQL (the guest, their usual dishes with the menu items,
 * and what other modules add, such as loyalty points), filling the cache. The hot path of the
 * register (bench W1, W2); customers.service.ts owns the rest of the guest's lifecycle.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import { AppError } from '../../common/errors.js';
import { entityView } from '../../common/entity-view.js';
import { MenuItem } from '../menu/menu-item.entity.js';
import { Customer } from './customer.entity.js';
import { CustomerDish } from './customer-dish.entity.js';
import type { CustomerLookupInput } from './customer.inputs.js';
import { DishCount } from './customer.types.js';
import { normaliseEmail, normaliseLoyaltyCode, normalisePhone } from './contact.js';
import type { ProfileCache } from './profile-cache.js';
import { PreparedRead } from '../../infra/prepared.js';

/** Usual dishes kept in a cached profile (the API serves up to this many from the cache). */
export const CACHED_DISHES = 5;

/** A guest's profile as the cache holds it: everything a register shows, as JSON. */
export interface ProfileJson {
  customer: Record<string, unknown>;
  usualDishes: { count: number; menuItem: Record<string, unknown> }[];
  /** What other modules add to the register profile (loyalty: points), by name. */
  extras?: Record<string, unknown>;
}

/**
 * A module's part of the register profile (e.g. loyalty points): a SQL expression yielding
 * json for the guest row aliased `c` (the customer table), evaluated inside the one statement
 * that reads the profile. The module owns its tables and its SQL; this module only places it.
 */
export interface ProfileExtension {
  sql(em: EntityManager): string;
}

export const CUSTOMER_FIELDS = [
  'id', 'firstName', 'lastName', 'phone', 'email', 'birthday', 'loyaltyCode', 'allergies', 'tags', 'notes', 'marketingOptIn',
  'visitCount', 'totalSpent', 'firstVisitAt', 'lastVisitAt', 'lifecycleStage', 'segments', 'createdAt',
] as const;
const CUSTOMER_DATES = ['firstVisitAt', 'lastVisitAt', 'createdAt'] as const;
export const MENU_FIELDS = ['id', 'sku', 'name', 'category', 'price', 'station', 'allergens', 'stock', 'enabled'] as const;

/** Columns a cached profile leaves out, as a freshly loaded guest has them. */
const CUSTOMER_UNCACHED = { marketingOptInChangedAt: null, marketingOptInChangedBy: null, erasedAt: null } as const;

export function pick<T extends object>(o: T, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, (o as Record<string, unknown>)[k]]));
}

type LookupKind = 'phone' | 'email' | 'code';
const LOOKUP_PROPS: Record<LookupKind, 'phone' | 'email' | 'loyaltyCode'> = { phone: 'phone', email: 'email', code: 'loyaltyCode' };

/** The lookup keys of a guest: each way a register can find them. */
export function lookupsOf(c: Pick<Customer, 'phone' | 'email' | 'loyaltyCode'>): string[] {
  return [c.phone && `phone:${c.phone}`, c.email && `email:${c.email}`, c.loyaltyCode && `code:${c.loyaltyCode}`].filter(Boolean) as string[];
}

export class RegisterProfiles {
  private readonly extensions = new Map<string, ProfileExtension>();
  /** The profile statement for each way of finding a guest, built once from the entity metadata. */
  private readonly profileStatements = new Map<LookupKind, PreparedRead>();
  /**
   * Keys this process has lately found in the cache or filled it with (see find()). A key it no
   * longer holds is only asked of PostgreSQL as well; one it holds wrongly (another instance's
   * write removed the profile) costs one miss before the read.
   */
  private readonly warm: LRUCache<string, true>;
  /** Phone numbers as typed at a register, normalised (libphonenumber was 2 % of a warm lookup). */
  private readonly phones = new Map<string, string>();

  /**
   * `em`: the ORM's own EntityManager, which lends the pool to the one prepared read (no entities),
   * so no lookup forks an EntityManager.
   */
  constructor(
    private readonly cache: ProfileCache,
    private readonly phoneRegion: string,
    private readonly em: EntityManager,
  ) {
    // A key is held warm no longer than a filled profile stays in the cache.
    this.warm = new LRUCache({ max: 50_000, ttl: cache.ttlMs });
  }

  /** A module's part of the profile, under its name (see ProfileExtension). */
  extend(name: string, build: ProfileExtension): void {
    this.extensions.set(name, build);
    this.profileStatements.clear();
  }

  /**
   * The guest for a key (see key()): the cache first, else one statement, filling the cache.
   *
   * A key this process has lately found in the cache (or put there) is asked of the cache alone;
   * any other key is asked of the shared cache and PostgreSQL at once, so a cold lookup does not wait for
   * the miss before reading (a Redis round trip); when the cache has it after all (another
   * instance filled it), the read is wasted and the cached profile is the answer, as it would be
   * otherwise. Either way the caller's lookup budget is counted (admitted) meanwhile, and
   * nothing is answered until it is granted.
   */
  async find(key: string, admitted?: Promise<void>): Promise<Customer | null> {
    if (this.cache.kind === 'memory' || this.warm.has(key)) {
      const [cached] = await Promise.all([this.cache.get(key), admitted]);
      if (cached) return this.fromProfile(JSON.parse(cached) as ProfileJson);
      this.warm.delete(key);
      return this.read(key);
    }
    const reading = this.read(key);
    reading.catch(() => undefined); // unread when the cache answers or the budget is refused
    const [cached] = await Promise.all([this.cache.get(key), admitted]);
    if (!cached) return reading;
    this.warm.set(key, true);
    return this.fromProfile(JSON.parse(cached) as ProfileJson);
  }

  /** The guest from PostgreSQL, filling the cache once the answer has gone out. */
  private async read(key: string): Promise<Customer | null> {
    const kind = key.slice(0, key.indexOf(':')) as LookupKind;
    const readAt = Date.now();
    // One statement, one snapshot: the guest, their usual dishes with the menu items, and what
    // other modules add (loyalty points), built as the cached JSON by PostgreSQL.
    const [row] = await this.profileStatement(kind).rows<{ id: string; phone: string | null; email: string | null; loyalty_code: string; profile: string }>(this.em, [
      key.slice(key.indexOf(':') + 1),
    ]);
    if (!row) return null;
    // Sent once the answer has gone out (a write's tombstone, newer than readAt, still wins over
    // it): the register does not wait for the fill to be built and written to Redis.
    setImmediate(() => {
      void this.cache.fill(row.id, lookupsOf({ phone: row.phone, email: row.email, loyaltyCode: row.loyalty_code }), row.profile, readAt);
      this.warm.set(key, true);
    });
    return this.fromProfile(JSON.parse(row.profile) as ProfileJson);
  }

  /** Prepared: PostgreSQL plans this statement once per connection rather than on every cold lookup. */
  private profileStatement(kind: LookupKind): PreparedRead {
    const em = this.em;
    const prepared = this.profileStatements.get(kind);
    if (prepared) return prepared;
    const meta = em.getMetadata();
    type Entity = Parameters<typeof meta.find>[0];
    const column = (entity: Entity, prop: string) => `"${(meta.find(entity)!.properties as Record<string, { fieldNames: string[] }>)[prop]!.fieldNames[0]}"`;
    const object = (alias: string, entity: Entity, props: readonly string[]) =>
      `json_build_object(${props.map((p) => `'${p}', ${alias}.${column(entity, p)}`).join(', ')})`;
    const dish = (p: string) => column(CustomerDish, p);
    const dishes =
      `(select coalesce(json_agg(json_build_object('count', d.${dish('count')}, 'menuItem', ${object('m', MenuItem, MENU_FIELDS)}) order by d.${dish('count')} desc, d.${dish('lastOrderedAt')} desc), '[]'::json)` +
      ` from (select * from "${meta.find(CustomerDish)!.tableName}" where ${dish('customer')} = c.${column(Customer, 'id')}` +
      ` order by ${dish('count')} desc, ${dish('lastOrderedAt')} desc limit ${CACHED_DISHES}) d` +
      ` join "${meta.find(MenuItem)!.tableName}" m on m.${column(MenuItem, 'id')} = d.${dish('menuItem')})`;
    const extras = `json_build_object(${[...this.extensions].map(([name, ext]) => `'${name}', (${ext.sql(em)})`).join(', ')})`;
    const by = column(Customer, LOOKUP_PROPS[kind]);
    const sql =
      `select c.${column(Customer, 'id')} as "id", c.${column(Customer, 'phone')} as "phone", c.${column(Customer, 'email')} as "email", c.${column(Customer, 'loyaltyCode')} as "loyalty_code",` +
      ` json_build_object('customer', ${object('c', Customer, CUSTOMER_FIELDS)}, 'usualDishes', ${dishes}, 'extras', ${extras})::text as "profile"` +
      ` from "${meta.find(Customer)!.tableName}" c where c.${by} = $1 and c.${column(Customer, 'erasedAt')} is null`;
    const statement = new PreparedRead(sql);
    this.profileStatements.set(kind, statement);
    return statement;
  }

  /** The cache key for a lookup (also its validation): `phone:`, `email:` or `code:` and the normalised value. */
  key(by: CustomerLookupInput): string {
    const given = [by.phone, by.email, by.loyaltyCode].filter((v) => v != null && v.trim() !== '');
    if (given.length !== 1) throw AppError.badInput('by', 'give exactly one of phone, email or loyaltyCode');
    if (by.phone?.trim()) return `phone:${this.phoneOf(by.phone)}`;
    if (by.email?.trim()) return `email:${normaliseEmail(by.email)}`;
    return `code:${normaliseLoyaltyCode(by.loyaltyCode!)}`;
  }

  private phoneOf(raw: string): string {
    let phone = this.phones.get(raw);
    if (phone === undefined) {
      phone = normalisePhone(raw, this.phoneRegion)!;
      if (this.phones.size >= 10_000) this.phones.clear();
      this.phones.set(raw, phone);
    }
    return phone;
  }

  /** A read-only guest from profile JSON (the cache's, or a greeting's). */
  fromProfile(p: ProfileJson): Customer {
    const data: Record<string, unknown> = { ...CUSTOMER_UNCACHED, ...p.customer };
    for (const k of CUSTOMER_DATES) {
      const v = data[k];
      data[k] = typeof v === 'string' ? new Date(v) : (v ?? null);
    }
    data.cachedDishes = p.usualDishes.map((d) => Object.assign(new DishCount(), { count: d.count, menuItem: entityView(MenuItem, d.menuItem) }));
    data.cachedExtras = p.extras ?? {};
    return entityView(Customer, data);
  }
}
