import { Migration } from '@mikro-orm/migrations';

export class Migration20261125155535 extends Migration {

  override name = 'Migration20261125155535';

  override up(): void | Promise<void> {
    this.addSql(`create type "order_status" as enum ('OPEN', 'PAID', 'VOIDED');`);
    this.addSql(`create type "payment_method" as enum ('CASH', 'CARD', 'GIFT_CARD', 'OTHER');`);
    this.addSql(`create table "customer" ("id" uuid not null, "first_name" varchar(80) not null, "last_name" varchar(80) null, "phone" varchar(20) null, "email" varchar(254) null, "birthday" varchar(10) null, "loyalty_code" varchar(9) not null, "allergies" text[] not null, "tags" text[] not null, "notes" text null, "marketing_opt_in" boolean not null default false, "visit_count" int not null default 0, "total_spent" int not null default 0, "first_visit_at" timestamptz null, "last_visit_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "customer" add constraint "customer_phone_unique" unique ("phone");`);
    this.addSql(`alter table "customer" add constraint "customer_email_unique" unique ("email");`);
    this.addSql(`alter table "customer" add constraint "customer_loyalty_code_unique" unique ("loyalty_code");`);
    this.addSql(`create index "customer_last_visit_idx" on "customer" ("last_visit_at");`);

    this.addSql(`create table "idempotency_key" ("scope" varchar(40) not null, "actor_id" uuid not null, "key" varchar(200) not null, "request_hash" varchar(64) not null, "result_id" uuid null, "created_at" timestamptz not null, "expires_at" timestamptz not null, primary key ("scope", "actor_id", "key"));`);
    this.addSql(`create index "idempotency_key_expires_idx" on "idempotency_key" ("expires_at");`);

    this.addSql(`create table "customer_dish" ("customer_id" uuid not null, "menu_item_id" uuid not null, "count" int not null, "last_ordered_at" timestamptz not null, primary key ("customer_id", "menu_item_id"));`);
    this.addSql(`create index "customer_dish_usual_idx" on "customer_dish" ("customer_id", "count" desc, "last_ordered_at" desc);`);

    this.addSql(`create table "orders" ("id" uuid not null, "number" int not null, "business_date" varchar(10) not null, "status" "order_status" not null default 'OPEN', "table_name" varchar(20) null, "customer_id" uuid null, "subtotal" int not null, "discount" int not null default 0, "tax" int not null default 0, "tip" int not null default 0, "total" int not null default 0, "change_given" int not null default 0, "sent_to_kitchen" boolean not null, "created_by" uuid not null, "created_at" timestamptz not null, "paid_at" timestamptz null, "voided_at" timestamptz null, "void_reason" text null, "voided_by" uuid null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "orders_customer_created_idx" on "orders" ("customer_id", "created_at", "id");`);
    this.addSql(`create index "orders_created_idx" on "orders" ("created_at", "id");`);
    this.addSql(`create index "orders_status_created_idx" on "orders" ("status", "created_at", "id");`);
    this.addSql(`alter table "orders" add constraint "orders_business_day_number_unique" unique ("business_date", "number");`);

    this.addSql(`create table "order_day_counter" ("business_date" varchar(10) not null, "last_number" int not null, primary key ("business_date"));`);

    this.addSql(`create table "order_line" ("id" uuid not null, "order_id" uuid not null, "menu_item_id" uuid not null, "position" int not null, "name" varchar(120) not null, "station" varchar(40) not null, "quantity" int not null, "unit_price" int not null, "modifiers" text[] not null, "notes" text null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "order_line_order_idx" on "order_line" ("order_id");`);

    this.addSql(`create table "payment" ("id" uuid not null, "order_id" uuid not null, "method" "payment_method" not null, "amount" int not null, "reference" varchar(120) null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "payment_order_idx" on "payment" ("order_id");`);

    this.addSql(`alter table "customer_dish" add constraint "customer_dish_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "customer_dish" add constraint "customer_dish_menu_item_id_foreign" foreign key ("menu_item_id") references "menu_item" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "orders" add constraint "orders_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on delete set null;`);
    this.addSql(`alter table "orders" add constraint "orders_amounts_non_negative" check (subtotal >= 0 and discount >= 0 and tax >= 0 and tip >= 0 and total >= 0 and change_given >= 0);`);

    this.addSql(`alter table "order_line" add constraint "order_line_order_id_foreign" foreign key ("order_id") references "orders" ("id") on delete cascade;`);
    this.addSql(`alter table "order_line" add constraint "order_line_menu_item_id_foreign" foreign key ("menu_item_id") references "menu_item" ("id");`);
    this.addSql(`alter table "order_line" add constraint "order_line_price_non_negative" check (unit_price >= 0);`);
    this.addSql(`alter table "order_line" add constraint "order_line_quantity_positive" check (quantity > 0);`);

    this.addSql(`alter table "payment" add constraint "payment_order_id_foreign" foreign key ("order_id") references "orders" ("id") on delete cascade;`);
    this.addSql(`alter table "payment" add constraint "payment_amount_positive" check (amount > 0);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "customer_dish" drop constraint "customer_dish_customer_id_foreign";`);
    this.addSql(`alter table "orders" drop constraint "orders_customer_id_foreign";`);
    this.addSql(`alter table "order_line" drop constraint "order_line_order_id_foreign";`);
    this.addSql(`alter table "payment" drop constraint "payment_order_id_foreign";`);

    this.addSql(`drop table if exists "customer" cascade;`);
    this.addSql(`drop table if exists "idempotency_key" cascade;`);
    this.addSql(`drop table if exists "customer_dish" cascade;`);
    this.addSql(`drop table if exists "orders" cascade;`);
    this.addSql(`drop table if exists "order_day_counter" cascade;`);
    this.addSql(`drop table if exists "order_line" cascade;`);
    this.addSql(`drop table if exists "payment" cascade;`);

    this.addSql(`drop type "order_status";`);
    this.addSql(`drop type "payment_method";`);
  }

}
