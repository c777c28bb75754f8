import { Check, Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { OptionalProps } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Something on the menu, prepared at one kitchen station.' })
@Entity({ tableName: 'menu_item' })
@Check({ name: 'menu_item_stock_non_negative', expression: 'stock IS NULL OR stock >= 0' })
@Check({ name: 'menu_item_price_non_negative', expression: 'price >= 0' })
export class MenuItem {
  [OptionalProps]?: 'id' | 'enabled' | 'allergens' | 'createdAt' | 'updatedAt' | 'available';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ length: 64, unique: true })
  sku: string;

  @Field()
  @Property({ length: 120 })
  name: string;

  @Field()
  @Property({ length: 60, index: true })
  category: string;

  @Field(() => Int, { description: 'Price in minor units.' })
  @Property({ type: 'integer' })
  price: number;

  @Field({ description: 'Kitchen station that prepares this item, e.g. grill, fry, cold, bar.' })
  @Property({ length: 40 })
  station: string;

  @Field(() => [String])
  @Property({ type: 'text[]' })
  allergens: string[] = [];

  /** Switched on or off by staff; availability also depends on stock. */
  @Property({ default: true })
  enabled: boolean = true;

  @Field(() => Int, { nullable: true, description: 'Units on hand; null when stock is not tracked for this item.' })
  @Property({ type: 'integer', nullable: true })
  stock: number | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Field({ description: "False when the item is switched off or its tracked stock is 0." })
  get available(): boolean {
    return this.enabled && (this.stock === null || this.stock > 0);
  }
}
