import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { AppError } from '../../common/errors.js';
import type { RequestContext } from '../../common/context.js';
import type { EventBus } from '../../infra/pubsub.js';
import { MenuItem } from './menu-item.entity.js';
import type { MenuItemInput, MenuItemPatch } from './menu.inputs.js';

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
