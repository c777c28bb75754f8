import { Migration } from '@mikro-orm/migrations';

export class Migration20261125191215 extends Migration {

  override name = 'Migration20261125191215';

  override up(): void | Promise<void> {
    this.addSql(`alter table "audit_log" add "actor_kind" varchar(12) not null default 'system', add "device_id" uuid null, add "address" varchar(64) null, add "result" varchar(10) not null default 'OK';`);
    this.addSql(`alter table "audit_log" alter column "subject_id" drop not null;`);
    this.addSql(`create index "audit_log_at_idx" on "audit_log" ("at", "id");`);
    this.addSql(`create or replace function "audit_log_audit_log_no_update_or_delete_fn"() returns trigger as \$\$ begin raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "audit_log_no_update_or_delete" BEFORE UPDATE OR DELETE on "audit_log" for each ROW execute function "audit_log_audit_log_no_update_or_delete_fn"();`);
    // TRUNCATE bypasses row triggers; a statement trigger refuses it (not declared on the entity:
    // the ORM does not introspect TRUNCATE triggers).
    this.addSql(`create trigger "audit_log_no_truncate" BEFORE TRUNCATE on "audit_log" for each STATEMENT execute function "audit_log_audit_log_no_update_or_delete_fn"();`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "audit_log_at_idx";`);
    this.addSql(`drop trigger if exists "audit_log_no_truncate" on "audit_log";`);
    this.addSql(`drop trigger if exists "audit_log_no_update_or_delete" on "audit_log";`);
    this.addSql(`drop function if exists "audit_log_audit_log_no_update_or_delete_fn"();`);
    this.addSql(`alter table "audit_log" drop column "actor_kind", drop column "device_id", drop column "address", drop column "result";`);
    this.addSql(`alter table "audit_log" alter column "subject_id" set not null;`);
  }

}
