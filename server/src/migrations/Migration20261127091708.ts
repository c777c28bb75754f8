import { Migration } from '@mikro-orm/migrations';

export class Migration20261127091708 extends Migration {

  override name = 'Migration20261127091708';

  override up(): void | Promise<void> {
    this.addSql(`create table "customer_classification_due" ("customer_id" uuid not null, "due_at" timestamptz not null, primary key ("customer_id"));`);
    this.addSql(`create index "customer_classification_due_at_idx" on "customer_classification_due" ("due_at");`);
    // Moved by hand: the sweep's due times move from customer.classified_until to their own table.
    this.addSql(`insert into "customer_classification_due" ("customer_id", "due_at") select "id", "classified_until" from "customer" where "classified_until" is not null and "erased_at" is null;`);

    this.addSql(`drop index "customer_classified_until_idx";`);
    this.addSql(`drop index "customer_last_visit_idx";`);
    this.addSql(`alter table "customer" drop column "classified_until";`);
    // Added by hand (the schema diff does not see storage parameters): room on each page for the
    // new version of a guest's row that each checkout writes, so the update stays HOT. Pages
    // written before this fill up to it as their rows move.
    this.addSql(`alter table "customer" set (fillfactor = 90);`);

    this.addSql(`alter table "customer_classification_due" add constraint "customer_classification_due_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "customer" reset (fillfactor);`);
    this.addSql(`alter table "customer" add "classified_until" timestamptz(6) null;`);
    this.addSql(`update "customer" c set "classified_until" = d."due_at" from "customer_classification_due" d where d."customer_id" = c."id";`);
    this.addSql(`drop table if exists "customer_classification_due" cascade;`);

    this.addSql(`create index "customer_classified_until_idx" on "customer" ("classified_until");`);
    this.addSql(`create index "customer_last_visit_idx" on "customer" ("last_visit_at");`);
  }

}
