import { Migration } from '@mikro-orm/migrations';

export class Migration20261125163203 extends Migration {

  override name = 'Migration20261125163203';

  override up(): void | Promise<void> {
    // Trigram indexes for guest search (name, phone or email fragments). Written by hand:
    // the schema generator does not manage extensions.
    this.addSql(`create extension if not exists pg_trgm;`);
    this.addSql(`create type "lifecycle_stage" as enum ('NEW', 'ACTIVE', 'REGULAR', 'AT_RISK', 'LAPSED');`);
    this.addSql(`create type "interaction_kind" as enum ('NOTE', 'VISIT', 'FEEDBACK', 'COMPLAINT', 'CALL', 'EMAIL');`);
    this.addSql(`create table "audit_log" ("id" uuid not null, "action" varchar(60) not null, "actor_id" uuid null, "subject_id" uuid not null, "details" jsonb not null, "at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "audit_log_subject_idx" on "audit_log" ("subject_id", "at");`);

    this.addSql(`create table "interaction" ("id" uuid not null, "customer_id" uuid not null, "kind" "interaction_kind" not null, "note" text not null, "staff_id" uuid null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "interaction_customer_idx" on "interaction" ("customer_id", "created_at");`);

    this.addSql(`alter table "customer" add "marketing_opt_in_changed_at" timestamptz null, add "marketing_opt_in_changed_by" uuid null, add "lifecycle_stage" "lifecycle_stage" not null default 'NEW', add "segments" text[] not null default '{}', add "classified_until" timestamptz null, add "erased_at" timestamptz null;`);
    this.addSql(`create index "customer_search_trgm_idx" on "customer" using gin ((lower(coalesce("first_name", '') || ' ' || coalesce("last_name", '') || ' ' || coalesce("email", '') || ' ' || coalesce("phone", ''))) gin_trgm_ops) where "erased_at" is null;`);
    this.addSql(`create index "customer_classified_until_idx" on "customer" ("classified_until");`);
    this.addSql(`create index "customer_list_idx" on "customer" ("created_at" desc, "id" desc) where "erased_at" is null;`);
    this.addSql(`create index "customer_segments_idx" on "customer" using gin ("segments") where "erased_at" is null;`);
    this.addSql(`create index "customer_stage_idx" on "customer" ("lifecycle_stage", "created_at" desc, "id" desc) where "erased_at" is null;`);

    this.addSql(`alter table "interaction" add constraint "interaction_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on delete cascade;`);
    this.addSql(`alter table "interaction" add constraint "interaction_staff_id_foreign" foreign key ("staff_id") references "staff" ("id") on delete set null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "audit_log" cascade;`);
    this.addSql(`drop table if exists "interaction" cascade;`);

    this.addSql(`drop index "customer_search_trgm_idx";`);
    this.addSql(`drop index "customer_classified_until_idx";`);
    this.addSql(`drop index "customer_list_idx";`);
    this.addSql(`drop index "customer_segments_idx";`);
    this.addSql(`drop index "customer_stage_idx";`);
    this.addSql(`alter table "customer" drop column "marketing_opt_in_changed_at", drop column "marketing_opt_in_changed_by", drop column "lifecycle_stage", drop column "segments", drop column "classified_until", drop column "erased_at";`);

    this.addSql(`drop type "lifecycle_stage";`);
    this.addSql(`drop type "interaction_kind";`);
  }

}
