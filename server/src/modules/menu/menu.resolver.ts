import { Arg, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../../common/context.js';
import { MenuItem } from './menu-item.entity.js';
import { MenuItemInput, MenuItemPatch } from './menu.inputs.js';
import { MENU_UPDATED, type MenuItemView, type MenuService } from './menu.service.js';

@Resolver(() => MenuItem)
export class MenuResolver {
  constructor(private readonly menuService: MenuService) {}

  @Query(() => [MenuItem])
  menu(@Ctx() ctx: RequestContext): Promise<MenuItem[]> {
    return this.menuService.menu(ctx);
  }

  @Mutation(() => MenuItem)
  createMenuItem(@Arg('input', () => MenuItemInput) input: MenuItemInput, @Ctx() ctx: RequestContext): Promise<MenuItem> {
    return this.menuService.createItem(ctx, input);
  }

  @Mutation(() => MenuItem)
  updateMenuItem(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => MenuItemPatch) input: MenuItemPatch,
    @Ctx() ctx: RequestContext,
  ): Promise<MenuItem> {
    return this.menuService.updateItem(ctx, id, input);
  }

  @Mutation(() => MenuItem, { description: 'Inventory sync: set units on hand (null stops tracking).' })
  setStock(
    @Arg('menuItemId', () => ID) menuItemId: string,
    @Arg('stock', () => Int, { nullable: true }) stock: number | null,
    @Ctx() ctx: RequestContext,
  ): Promise<MenuItem> {
    return this.menuService.setStock(ctx, menuItemId, stock ?? null);
  }

  @Subscription(() => MenuItem, {
    topics: MENU_UPDATED,
    description: "Availability changes, e.g. an item 86'd when stock runs out.",
  })
  menuUpdates(@Root() item: MenuItemView): MenuItemView {
    return item;
  }
}
