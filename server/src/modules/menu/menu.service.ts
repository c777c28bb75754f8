import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, ErrorCode } from '../../common/errors.js';
import type { RequestContext } from '../../common/context.js';
import type { Statement } from '../../common/statement.js';
import type { EventBus } from '../../infra/pubsub.js';
import { MenuItem } from './menu-item.entity.js';
import type { MenuItemInput, MenuItemPatch } from './menu.inputs.js';
import { executePrepared } from '../../infra/prepared-statements.js';
import { entityView } from '../../common/entity-view.js';

export const MENU_UPDATED = 'MENU_UPDATED';

/** Allergens are compared and shown lower-case, once each. */
function normaliseAllergens(list: string[] | undefined): string[] {
  return [...new Set((list ?? []).map((a) => a.trim().toLowerCase()).filter(Boolean))];
}

/** What menuUpdates carries: a plain copy of the committed row, safe to send through Redis as JSON. */
export interface MenuItemView {
  id: string;
  sku: string;
  name: string;
  category: string;
  price: number;
  station: string;
  allergens: string[];
  stock: number | null;
  /** type-graphql turns the payload back into a MenuItem, whose getter derives `available` from these. */
  enabled: boolean;
}

function view(item: MenuItem): MenuItemView {
  const { id, sku, name, category, price, station, stock, enabled } = item;
  return { id, sku, name, category, price, station, allergens: [...item.allergens], stock, enabled };
}

/** An item an order could not have, with what it asked for and what there was. */
export interface Shortage {
  menuItemId: string;
  name: string;
  requested: number;
  available: number;
}

function outOfStock(shortages: Shortage[]): AppError {
  return new AppError(ErrorCode.OUT_OF_STOCK, `Out of stock: ${shortages.map((s) => s.name).join(', ')}`, { items: shortages });
}

/** Unknown ids are BAD_USER_INPUT; items switched off or without enough stock are OUT_OF_STOCK, naming every such item. */
function orderable<T extends Pick<MenuItemView, 'name' | 'enabled' | 'stock'>>(quantities: ReadonlyMap<string, number>, items: Map<string, T>): Map<string, T> {
  const unknown = [...quantities.keys()].filter((id) => !items.has(id));
  if (unknown.length) throw new AppError(ErrorCode.BAD_USER_INPUT, `items: unknown menu item ${unknown.join(', ')}`, { field: 'items', menuItemIds: unknown });
  const short: Shortage[] = [];
  for (const [id, requested] of quantities) {
    const item = items.get(id)!;
    const available = !item.enabled ? 0 : (item.stock ?? Number.POSITIVE_INFINITY);
    if (available < requested) short.push({ menuItemId: id, name: item.name, requested, available: item.enabled ? (item.stock ?? 0) : 0 });
  }
  if (short.length) throw outOfStock(short);
  return items;
}

/** A read-only MenuItem from a view (for a mutation's answer; never persisted). */
export function menuItemOf(v: MenuItemView): MenuItem {
  return entityView(MenuItem, { ...v, allergens: [...v.allergens] });
}

const VIEW_COLUMNS = '"id", "sku", "name", "category", "price", "station", "allergens", "stock", "enabled"';

export class MenuService {
  constructor(private readonly bus: EventBus) {}

  menu(ctx: RequestContext): Promise<MenuItem[]> {
    return ctx.em.find(MenuItem, {}, { orderBy: { category: 'asc', name: 'asc' } });
  }

  async getItem(ctx: RequestContext, id: string): Promise<MenuItem> {
    const item = await ctx.em.findOne(MenuItem, { id });
    if (!item) throw AppError.notFound('Menu item', id);
    return item;
  }

  async createItem(ctx: RequestContext, input: MenuItemInput): Promise<MenuItem> {
    const item = ctx.em.create(MenuItem, {
      sku: input.sku.trim(),
      name: input.name.trim(),
      category: input.category.trim(),
      price: input.price,
      station: input.station,
      allergens: normaliseAllergens(input.allergens),
      stock: input.stock ?? null,
    });
    await this.flush(ctx);
    this.publish(item);
    return item;
  }

  async updateItem(ctx: RequestContext, id: string, patch: MenuItemPatch): Promise<MenuItem> {
    const item = await this.getItem(ctx, id);
    if (patch.name != null) item.name = patch.name.trim();
    if (patch.category != null) item.category = patch.category.trim();
    if (patch.price != null) item.price = patch.price;
    if (patch.station != null) item.station = patch.station;
    if (patch.allergens != null) item.allergens = normaliseAllergens(patch.allergens);
    if (patch.available != null) item.enabled = patch.available;
    await this.flush(ctx);
    this.publish(item);
    return item;
  }

  /** Inventory sync: set units on hand; null stops tracking. */
  async setStock(ctx: RequestContext, id: string, stock: number | null): Promise<MenuItem> {
    if (stock !== null && (!Number.isInteger(stock) || stock < 0)) throw AppError.badInput('stock', 'must not be negative');
    const item = await this.getItem(ctx, id);
    item.stock = stock;
    await this.flush(ctx);
    this.publish(item);
    return item;
  }

  /**
   * For orders: the items asked for, by id. Unknown ids are BAD_USER_INPUT; items switched
   * off or without enough stock are OUT_OF_STOCK, naming every such item.
   */
  async itemsForOrder(em: EntityManager, quantities: ReadonlyMap<string, number>): Promise<Map<string, MenuItem>> {
    const ids = [...quantities.keys()];
    return orderable(quantities, new Map((await em.find(MenuItem, { id: { $in: ids } })).map((i) => [i.id, i])));
  }

  /**
   * itemsForOrder for a new order: the same checks, plain views instead of managed entities (the
   * order writes its lines itself and only reads these), and the read as a statement for the
   * caller to run with its own first one. viewsForOrder checks its rows.
   */
  viewsForOrderRead(quantities: ReadonlyMap<string, number>): Statement {
    return { sql: `select ${VIEW_COLUMNS} from "menu_item" where "id" in (?)`, params: [[...quantities.keys()]] };
  }

  /** The rows of viewsForOrderRead, by id, once every item is known and can be had. */
  viewsForOrder(quantities: ReadonlyMap<string, number>, rows: readonly MenuItemView[]): Map<string, MenuItemView> {
    return orderable(quantities, new Map(rows.map((r) => [r.id, r])));
  }

  /**
   * Takes tracked stock inside the caller's transaction: one guarded UPDATE per tracked item,
   * in id order (so two orders never deadlock), never below zero (and a CHECK backs it).
   * Throws OUT_OF_STOCK naming every item that ran short; the caller's transaction then rolls
   * back whatever was taken. Returns the changed items, to publish after commit.
   */
  async reserveStock(
    em: EntityManager,
    quantities: ReadonlyMap<string, number>,
    items: ReadonlyMap<string, Pick<MenuItemView, 'name' | 'stock'>>,
  ): Promise<MenuItemView[]> {
    const tracked = [...quantities.keys()].filter((id) => items.get(id)?.stock != null).sort();
    const changed: MenuItemView[] = [];
    const short: Shortage[] = [];
    for (const id of tracked) {
      const n = quantities.get(id)!;
      const rows = await executePrepared<MenuItemView[]>(
        em,
        `update "menu_item" set "stock" = "stock" - ?, "updated_at" = now() where "id" = ? and "stock" >= ? returning ${VIEW_COLUMNS}`,
        [n, id, n],
      );
      if (rows[0]) changed.push(rows[0]);
      else short.push({ menuItemId: id, name: items.get(id)!.name, requested: n, available: await this.stockNow(em, id) });
    }
    if (short.length) throw outOfStock(short);
    return changed;
  }

  /** Gives stock back (a voided order); untracked items are left alone. Returns the changed items. */
  async restoreStock(em: EntityManager, quantities: ReadonlyMap<string, number>): Promise<MenuItemView[]> {
    const changed: MenuItemView[] = [];
    for (const id of [...quantities.keys()].sort()) {
      const rows = await em.execute<MenuItemView[]>(
        `update "menu_item" set "stock" = "stock" + ?, "updated_at" = now() where "id" = ? and "stock" is not null returning ${VIEW_COLUMNS}`,
        [quantities.get(id)!, id],
      );
      if (rows[0]) changed.push(rows[0]);
    }
    return changed;
  }

  private async stockNow(em: EntityManager, id: string): Promise<number> {
    const [row] = await em.execute<{ stock: number | null }[]>(`select "stock" from "menu_item" where "id" = ?`, [id]);
    return row?.stock ?? 0;
  }

  /** Publishes item views (from reserveStock/restoreStock) once the caller's transaction committed. */
  publishViews(views: readonly MenuItemView[]): void {
    for (const v of views) void this.bus.publish(MENU_UPDATED, v);
  }

  /** For other modules (orders): tell subscribers an item changed after their own commit. */
  publish(item: MenuItem): void {
    void this.bus.publish(MENU_UPDATED, view(item));
  }

  private async flush(ctx: RequestContext): Promise<void> {
    try {
      await ctx.em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw AppError.badInput('sku', 'another menu item already uses this SKU');
      throw err;
    }
  }
}
