import { Migration } from '@mikro-orm/migrations';

export class Migration20261125161407 extends Migration {

  override name = 'Migration20261125161407';

  override up(): void | Promise<void> {
    this.addSql(`create type "ticket_event_type" as enum ('CREATED', 'UPDATED', 'BUMPED', 'RECALLED', 'VOIDED');`);
    this.addSql(`create type "ticket_status" as enum ('NEW', 'IN_PROGRESS', 'READY', 'BUMPED', 'VOIDED');`);
    this.addSql(`create table "kitchen_event" ("id" bigserial primary key, "ticket_id" uuid not null, "station" varchar(40) not null, "type" "ticket_event_type" not null, "ticket" jsonb not null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "kitchen_event_station_idx" on "kitchen_event" ("station", "id");`);

    this.addSql(`create table "kitchen_ticket" ("id" uuid not null, "order_id" uuid not null, "order_number" int not null, "station" varchar(40) not null, "table_name" varchar(20) null, "status" "ticket_status" not null default 'NEW', "items" jsonb not null, "guest_name" varchar(80) null, "guest_allergies" text[] not null, "created_at" timestamptz not null, "started_at" timestamptz null, "ready_at" timestamptz null, "bumped_at" timestamptz null, "voided_at" timestamptz null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "kitchen_ticket_order_idx" on "kitchen_ticket" ("order_id");`);
    this.addSql(`create index "kitchen_ticket_open_idx" on "kitchen_ticket" ("station", "created_at") where "status" in ('NEW', 'IN_PROGRESS', 'READY');`);

    this.addSql(`alter table "kitchen_ticket" add constraint "kitchen_ticket_order_id_foreign" foreign key ("order_id") references "orders" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "kitchen_event" cascade;`);
    this.addSql(`drop table if exists "kitchen_ticket" cascade;`);

    this.addSql(`drop type "ticket_event_type";`);
    this.addSql(`drop type "ticket_status";`);
  }

}
