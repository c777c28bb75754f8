// W2 baseline: the rows of a cold register lookup (guest, top dishes with their menu items,
// points) read with one raw `pg` query per request and returned as JSON over node:http.
import pg from 'pg';
import { serveBaseline } from './lib/http-server.mjs';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });

serveBaseline(
  'baseline-pg',
  async (body) => {
    const { rows } = await pool.query(
      `select c.id, c.first_name, c.last_name, c.allergies, c.tags, c.lifecycle_stage, c.visit_count, c.total_spent,
         coalesce(a.points, 0) as points, coalesce(a.lifetime_points, 0) as lifetime_points,
         (select coalesce(json_agg(json_build_object('count', d.count, 'menuItem', json_build_object('id', m.id, 'name', m.name))), '[]')
            from (select * from customer_dish where customer_id = c.id order by count desc, last_ordered_at desc limit 5) d join menu_item m on m.id = d.menu_item_id) as dishes
       from customer c left join loyalty_account a on a.customer_id = c.id where c.phone = $1 and c.erased_at is null`,
      [body.variables?.by?.phone],
    );
    return { data: { customerLookup: rows[0] ?? null } };
  },
  () => pool.end(),
);
