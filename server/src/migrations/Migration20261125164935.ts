import { Migration } from '@mikro-orm/migrations';

export class Migration20261125164935 extends Migration {

  override name = 'Migration20261125164935';

  override up(): void | Promise<void> {
    this.addSql(`create type "points_kind" as enum ('EARN', 'REDEEM', 'ADJUST', 'EXPIRE');`);
    this.addSql(`create table "loyalty_account" ("customer_id" uuid not null, "points" int not null default 0, "lifetime_points" int not null default 0, "updated_at" timestamptz not null, primary key ("customer_id"));`);

    this.addSql(`create table "points_entry" ("id" uuid not null, "customer_id" uuid not null, "kind" "points_kind" not null, "points" int not null, "order_id" uuid null, "reward_id" uuid null, "note" varchar(200) null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "points_entry_order_idx" on "points_entry" ("order_id");`);
    this.addSql(`create index "points_entry_customer_idx" on "points_entry" ("customer_id", "created_at");`);

    this.addSql(`create table "promotion" ("id" uuid not null, "name" varchar(120) not null, "code" varchar(40) not null, "discount_percent" int null, "discount_amount" int null, "lifecycle_stage" "lifecycle_stage" null, "segment" varchar(40) null, "starts_at" timestamptz null, "ends_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "promotion" add constraint "promotion_code_unique" unique ("code");`);

    this.addSql(`create table "reward" ("id" uuid not null, "name" varchar(120) not null, "points_cost" int not null, "discount_amount" int null, "free_menu_item_id" uuid null, "active" boolean not null default true, "created_at" timestamptz not null, primary key ("id"));`);

    this.addSql(`alter table "loyalty_account" add constraint "loyalty_account_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "loyalty_account" add constraint "loyalty_account_points_non_negative" check (points >= 0);`);

    this.addSql(`alter table "points_entry" add constraint "points_entry_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on delete cascade;`);

    this.addSql(`alter table "promotion" add constraint "promotion_one_kind" check ((discount_percent is null) <> (discount_amount is null));`);

    this.addSql(`alter table "reward" add constraint "reward_free_menu_item_id_foreign" foreign key ("free_menu_item_id") references "menu_item" ("id") on delete set null;`);
    this.addSql(`alter table "reward" add constraint "reward_points_positive" check (points_cost > 0);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "loyalty_account" cascade;`);
    this.addSql(`drop table if exists "points_entry" cascade;`);
    this.addSql(`drop table if exists "promotion" cascade;`);
    this.addSql(`drop table if exists "reward" cascade;`);

    this.addSql(`drop type "points_kind";`);
  }

}
