import { Migration } from '@mikro-orm/migrations';

export class Migration20261125033532 extends Migration {

  override name = 'Migration20261125033532';

  override up(): void | Promise<void> {
    this.addSql(`create type "role" as enum ('ADMIN', 'MANAGER', 'SERVER', 'HOST', 'KITCHEN');`);
    this.addSql(`create table "menu_item" ("id" uuid not null, "sku" varchar(64) not null, "name" varchar(120) not null, "category" varchar(60) not null, "price" int not null, "station" varchar(40) not null, "allergens" text[] not null, "enabled" boolean not null default true, "stock" int null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "menu_item" add constraint "menu_item_sku_unique" unique ("sku");`);
    this.addSql(`create index "menu_item_category_index" on "menu_item" ("category");`);

    this.addSql(`create table "staff" ("id" uuid not null, "name" varchar(120) not null, "email" varchar(254) not null, "password_hash" varchar(255) not null, "role" "role" not null, "active" boolean not null default true, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "staff" add constraint "staff_email_unique" unique ("email");`);

    this.addSql(`create table "device" ("id" uuid not null, "name" varchar(120) not null, "role" "role" not null, "token_hash" varchar(64) not null, "issued_by_id" uuid not null, "created_at" timestamptz not null, "revoked_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "device" add constraint "device_token_hash_unique" unique ("token_hash");`);

    this.addSql(`alter table "menu_item" add constraint "menu_item_price_non_negative" check (price >= 0);`);
    this.addSql(`alter table "menu_item" add constraint "menu_item_stock_non_negative" check (stock IS NULL OR stock >= 0);`);

    this.addSql(`alter table "device" add constraint "device_issued_by_id_foreign" foreign key ("issued_by_id") references "staff" ("id") on delete restrict;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "device" drop constraint "device_issued_by_id_foreign";`);

    this.addSql(`drop table if exists "menu_item" cascade;`);
    this.addSql(`drop table if exists "staff" cascade;`);
    this.addSql(`drop table if exists "device" cascade;`);

    this.addSql(`drop type "role";`);
  }

}
