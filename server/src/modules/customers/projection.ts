import type { EntityManager } from '@mikro-orm/postgresql';
import { asCte, type Statement } from '../../common/statement.js';
import { classify, type LifecycleRules, type ProfileFacts } from './lifecycle.js';

/** What one paid order adds to its guest's profile. */
export interface Visit {
  at: Date;
  /** Minor units: the order's total less the tip. */
  spend: number;
  dishes: { menuItemId: string; quantity: number }[];
}

/** A guest's facts as ProfileProjection.lockedFacts reads them (timestamps as text in a JSON row). */
export interface LockedFacts {
  id: string;
  visit_count: number;
  total_spent: number;
  first_visit_at: string | Date | null;
  last_visit_at: string | Date | null;
}

const FACTS = 'select "id", "visit_count", "total_spent", "first_visit_at", "last_visit_at" from "customer"';

/** The quantity of each dish in a visit. */
function dishCounts(visit: Visit): Map<string, number> {
  const perDish = new Map<string, number>();
  for (const d of visit.dishes) perDish.set(d.menuItemId, (perDish.get(d.menuItemId) ?? 0) + d.quantity);
  return perDish;
}

/** The guest's dish counts moved by a visit's dishes (a non-empty map). */
function dishUpsert(customerId: string, perDish: ReadonlyMap<string, number>, at: Date): Statement {
  return {
    sql: `insert into "customer_dish" ("customer_id", "menu_item_id", "count", "last_ordered_at")
          values ${[...perDish].map(() => '(?::uuid, ?::uuid, ?::int, ?::timestamptz)').join(', ')}
          on conflict ("customer_id", "menu_item_id") do update set
            "count" = "customer_dish"."count" + excluded."count",
            "last_ordered_at" = greatest("customer_dish"."last_ordered_at", excluded."last_ordered_at")`,
    params: [...perDish].flatMap(([menuItemId, count]) => [customerId, menuItemId, count, at]),
  };
}

/** Records when the guest's classification next changes with the clock alone (none: no row). */
function dueWrite(customerId: string, dueAt: Date | null): Statement {
  return dueAt === null
    ? { sql: `delete from "customer_classification_due" where "customer_id" = ?::uuid`, params: [customerId] }
    : {
        sql: `insert into "customer_classification_due" ("customer_id", "due_at") values (?::uuid, ?::timestamptz)
              on conflict ("customer_id") do update set "due_at" = excluded."due_at"`,
        params: [customerId, dueAt],
      };
}

/**
 * The profile projection: the guest's stats, dish counts, lifecycle stage and segments, written
 * incrementally inside the transactions that change them (checkout, void), and reclassified as
 * the clock moves. A fixed number of statements whatever the guest's history.
 */
export class ProfileProjection {
  constructor(
    private readonly rules: LifecycleRules,
    private readonly clock: () => Date,
    private readonly onReclassified: (customerId: string) => Promise<void>,
  ) {}

  /**
   * How checkout adds a visit (one new version of the guest's row, on its page with no index
   * entry as a rule: see Customer.lifecycleStage): a read to run with its first statement, the
   * order's guest's facts with the row locked (FOR NO KEY UPDATE) to the end of the
   * transaction; then visitWrites from them.
   */
  lockedFacts(orderId: string): Statement {
    return { sql: `${FACTS} where "id" = (select "customer_id" from "orders" where "id" = ?::uuid) for no key update`, params: [orderId] };
  }

  /** The same facts of a known guest, locked the same way, read on their own (null when the guest is gone). */
  async lockFacts(em: EntityManager, customerId: string): Promise<LockedFacts | null> {
    const [row] = await em.execute<LockedFacts[]>(`${FACTS} where "id" = ? for no key update`, [customerId]);
    return row ?? null;
  }

  /**
   * Adds one paid order to the guest's profile from their facts as lockedFacts read them (the
   * row still locked): the dish counts, the stats, stage and segments, as common table
   * expressions for the caller's last statement. The stats are written as increments; the
   * classification is made from the same sums.
   */
  visitWrites(locked: LockedFacts, visit: Visit): Statement[] {
    const perDish = dishCounts(visit);
    const first = locked.first_visit_at === null ? visit.at : new Date(Math.min(new Date(locked.first_visit_at).getTime(), visit.at.getTime()));
    const last = locked.last_visit_at === null ? visit.at : new Date(Math.max(new Date(locked.last_visit_at).getTime(), visit.at.getTime()));
    const c = classify({ visitCount: locked.visit_count + 1, totalSpent: locked.total_spent + visit.spend, firstVisitAt: first, lastVisitAt: last }, this.clock(), this.rules);
    const writes: Statement[] = [];
    if (perDish.size) writes.push(asCte('dishes', dishUpsert(locked.id, perDish, visit.at)));
    writes.push(
      asCte('visit', {
        sql: `update "customer" set
                "visit_count" = "visit_count" + 1,
                "total_spent" = "total_spent" + ?,
                "first_visit_at" = least(coalesce("first_visit_at", ?::timestamptz), ?::timestamptz),
                "last_visit_at" = greatest(coalesce("last_visit_at", ?::timestamptz), ?::timestamptz),
                "updated_at" = now(),
                "lifecycle_stage" = ?, "segments" = ?::text[]
              where "id" = ?::uuid`,
        params: [visit.spend, visit.at, visit.at, visit.at, visit.at, c.stage, `{${c.segments.join(',')}}`, locked.id],
      }),
      asCte('due', dueWrite(locked.id, c.validUntil)),
    );
    return writes;
  }

  /** The guest's stage, segments and how long they hold, from the facts just written. */
  private classification(customerId: string, facts: ProfileFacts): Statement {
    const c = classify(facts, this.clock(), this.rules);
    const due = asCte('due', dueWrite(customerId, c.validUntil));
    return {
      sql: `with ${due.sql} update "customer" set "lifecycle_stage" = ?, "segments" = ?::text[] where "id" = ?::uuid`,
      params: [...due.params, c.stage, `{${c.segments.join(',')}}`, customerId],
    };
  }

  private async reclassify(em: EntityManager, customerId: string, facts: ProfileFacts): Promise<void> {
    const { sql, params } = this.classification(customerId, facts);
    await em.execute(sql, params);
  }

  /**
   * Takes a voided paid order back out of the profile, in the caller's transaction. The caller
   * gives the first and last visit among the guest's remaining paid orders, and for each dish
   * when the guest last had it on them (null when on none).
   */
  async reverse(
    em: EntityManager,
    customerId: string,
    v: {
      spend: number;
      dishes: { menuItemId: string; quantity: number; lastOrderedAt: Date | null }[];
      firstVisitAt: Date | null;
      lastVisitAt: Date | null;
    },
  ): Promise<void> {
    const [facts] = await em.execute<{ visit_count: number; total_spent: number }[]>(
      `update "customer" set "visit_count" = greatest(0, "visit_count" - 1), "total_spent" = greatest(0, "total_spent" - ?),
         "first_visit_at" = ?, "last_visit_at" = ?, "updated_at" = now() where "id" = ? returning "visit_count", "total_spent"`,
      [v.spend, v.firstVisitAt, v.lastVisitAt, customerId],
    );
    if (facts) {
      await this.reclassify(em, customerId, { visitCount: facts.visit_count, totalSpent: facts.total_spent, firstVisitAt: v.firstVisitAt, lastVisitAt: v.lastVisitAt });
    }
    for (const d of v.dishes) {
      await em.execute(
        `update "customer_dish" set "count" = "count" - ?, "last_ordered_at" = coalesce(?, "last_ordered_at") where "customer_id" = ? and "menu_item_id" = ?`,
        [d.quantity, d.lastOrderedAt, customerId, d.menuItemId],
      );
    }
    await em.execute(`delete from "customer_dish" where "customer_id" = ? and "count" <= 0`, [customerId]);
  }

  /**
   * Reclassifies the guests whose stage can have moved with the clock alone (their
   * ClassificationDue passed), in batches; the index on due_at keeps it to those rows. Run
   * periodically.
   */
  async refreshDue(em: EntityManager, batch = 1_000): Promise<number> {
    const now = this.clock();
    let total = 0;
    for (;;) {
      const rows = await em.execute<{ id: string; visit_count: number; total_spent: number; first_visit_at: Date | null; last_visit_at: Date | null }[]>(
        `select c."id", c."visit_count", c."total_spent", c."first_visit_at", c."last_visit_at"
         from "customer_classification_due" d join "customer" c on c."id" = d."customer_id"
         where d."due_at" <= ? and c."erased_at" is null order by d."due_at" limit ?`,
        [now, batch],
      );
      if (!rows.length) return total;
      const values = rows.map(() => '(?::uuid, ?::lifecycle_stage, ?::text[], ?::timestamptz)').join(', ');
      const params = rows.flatMap((r) => {
        const c = classify(
          { visitCount: r.visit_count, totalSpent: r.total_spent, firstVisitAt: r.first_visit_at && new Date(r.first_visit_at), lastVisitAt: r.last_visit_at && new Date(r.last_visit_at) },
          now,
          this.rules,
        );
        return [r.id, c.stage, `{${c.segments.join(',')}}`, c.validUntil];
      });
      await em.execute(
        `with v(id, stage, segments, until) as (values ${values}),
           "stage" as (update "customer" c set "lifecycle_stage" = v.stage, "segments" = v.segments from v where c."id" = v.id),
           "done" as (delete from "customer_classification_due" d using v where d."customer_id" = v.id and v.until is null)
         update "customer_classification_due" d set "due_at" = v.until from v where d."customer_id" = v.id and v.until is not null`,
        params,
      );
      for (const r of rows) await this.onReclassified(r.id);
      total += rows.length;
      if (rows.length < batch) return total;
    }
  }
}
