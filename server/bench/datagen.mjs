// Benchmark data, written with SQL (generate_series) straight into a scratch database: the rows
// the product itself would store (same tables, columns, constraints), consistent with each
// other (a guest's stats, dish counts and points are the sums of their orders), generated in
// batches of guests so a million takes minutes, not the hours the services would.
//
// Guest i (0-based) has id md5('bench-c' || i), phone +1415 (2000000 + i) and email
// guest<i>@bench.example, so a workload can address any guest without reading them first.

export const guestId = (i) => `md5('bench-c' || ${i})::uuid`;
export const guestPhone = (i) => `+1415${2_000_000 + i}`;
/** Guests with a long or short history (W4) live above every size's range. */
export const HISTORY_BASE = 7_000_000;

const FIRST = [
  'Maria',
  'James',
  'Aiko',
  'Liam',
  'Sofia',
  'Noah',
  'Amara',
  'Lucas',
  'Chen',
  'Olivia',
  'Mateo',
  'Priya',
  'Ethan',
  'Zara',
  'Diego',
  'Emma',
  'Kwame',
  'Ava',
  'Hugo',
  'Mia',
];
const LAST = [
  'Garcia',
  'Smith',
  'Tanaka',
  'Murphy',
  'Rossi',
  'Johnson',
  'Okafor',
  'Silva',
  'Wang',
  'Brown',
  'Lopez',
  'Patel',
  'Miller',
  'Khan',
  'Fernandez',
  'Davis',
  'Mensah',
  'Wilson',
  'Dubois',
  'Nguyen',
];
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const sqlArray = (xs) => `array[${xs.map((x) => `'${x}'`).join(', ')}]`;

/** A unique loyalty code per i: an odd multiplier scrambles i bijectively mod 2^40, printed in Crockford base32. */
const loyaltyCode = (i) => {
  const x = `((${i}::bigint * 2654435761) % 1099511627776)`;
  const ch = (k) => `substr('${ALPHABET}', ((${x} >> ${5 * (7 - k)}) & 31)::int + 1, 1)`;
  return `${[0, 1, 2, 3].map(ch).join(' || ')} || '-' || ${[4, 5, 6, 7].map(ch).join(' || ')}`;
};

/** The menu (the demo restaurant's), all untracked so long runs never sell out. */
export async function seedMenu(db, menu) {
  for (const m of menu) {
    await db.query(
      `insert into menu_item (id, sku, name, category, price, station, allergens, enabled, stock, created_at, updated_at)
       values (md5('bench-m' || $1)::uuid, $1, $2, $3, $4, $5, $6, true, null, now(), now())`,
      [m.sku, m.name, m.category, m.price, m.station, m.allergens],
    );
  }
}

/**
 * One row per (guest i, order k) for guests [$1, $2): when, and the two lines of the order.
 * Guests keep to a few dishes (so they have usuals). $3 spaces visits (days), $4 orders per
 * guest on average, $5 the spread around it.
 */
const SOURCE = `
  select i, k, md5('bench-o' || i || '-' || k)::uuid as order_id,
    m.ids[1 + (i * 7 + k % 3) % m.n] as a_id, m.prices[1 + (i * 7 + k % 3) % m.n] as a_price,
    m.names[1 + (i * 7 + k % 3) % m.n] as a_name, m.stations[1 + (i * 7 + k % 3) % m.n] as a_station,
    m.ids[1 + (i * 13 + (k % 2) * 5 + 1) % m.n] as b_id, m.prices[1 + (i * 13 + (k % 2) * 5 + 1) % m.n] as b_price,
    m.names[1 + (i * 13 + (k % 2) * 5 + 1) % m.n] as b_name, m.stations[1 + (i * 13 + (k % 2) * 5 + 1) % m.n] as b_station,
    1 + (i + k) % 2 as b_qty,
    now() - ((k * $3::int + i % $3::int + 1) * interval '1 day') - ((((i % 600) * 7919) % 600) * interval '1 minute') as at
  from generate_series($1::int, $2::int - 1) i
  cross join lateral generate_series(1, greatest(1, $4::int + i % $5::int - $5::int / 2)) k
  cross join (select count(*)::int as n, array_agg(id order by sku) as ids, array_agg(price order by sku) as prices,
                     array_agg(name order by sku) as names, array_agg(station order by sku) as stations from menu_item) m`;

const PRICED = `
  select s.*, (sub * 875 + 5000) / 10000 as tax, case when (i + k) % 2 = 0 then sub * 15 / 100 else 0 end as tip
  from (select *, a_price + b_price * b_qty as sub from (${SOURCE}) s0) s`;

/** Guests [from, to) with their whole history: orders, lines, payments, points, dish counts, stats. */
export async function addGuests(db, from, to, { perGuest, spread = 5, spacingDays = 30, staffId }) {
  const args = [from, to, spacingDays, perGuest, spread];
  await db.query('begin');
  try {
    await db.query(
      `insert into customer (id, first_name, last_name, phone, email, birthday, loyalty_code, allergies, tags, notes, marketing_opt_in,
         marketing_opt_in_changed_at, visit_count, total_spent, created_at, updated_at, lifecycle_stage, segments)
       select ${guestId('i')}, (${sqlArray(FIRST)})[1 + i % ${FIRST.length}], (${sqlArray(LAST)})[1 + (i / ${FIRST.length}) % ${LAST.length}],
         '+1415' || (2000000 + i), 'guest' || i || '@bench.example',
         case when i % 4 = 0 then to_char(date '1960-01-01' + (i % 15000), 'YYYY-MM-DD') end, ${loyaltyCode('i')},
         case when i % 7 = 0 then '{peanuts}'::text[] when i % 11 = 0 then '{shellfish,milk}'::text[] else '{}'::text[] end,
         case when i % 13 = 0 then '{vip}'::text[] else '{}'::text[] end, null, i % 3 = 0,
         case when i % 3 = 0 then now() - interval '3 years' end, 0, 0, now() - interval '3 years', now(), 'NEW', '{}'
       from generate_series($1::int, $2::int - 1) i`,
      [from, to],
    );
    await db.query(
      `insert into orders (id, number, business_date, status, table_name, customer_id, subtotal, discount, tax, tip, total, change_given,
         sent_to_kitchen, created_by, created_at, paid_at, updated_at)
       select order_id, i * 16 + k % 16, to_char((at at time zone 'UTC') - interval '4 hours', 'YYYY-MM-DD'), 'PAID', 'T' || (1 + (i + k) % 30),
         ${guestId('i')}, sub, 0, tax, tip, sub + tax + tip, 0, true, $6::uuid, at, at + interval '45 minutes', at + interval '45 minutes'
       from (${PRICED}) p`,
      [...args, staffId],
    );
    await db.query(
      `insert into order_line (id, order_id, menu_item_id, position, name, station, quantity, unit_price, modifiers, notes, created_at)
       select md5('bench-l' || i || '-' || k || '-a')::uuid, order_id, a_id, 0, a_name, a_station, 1, a_price, '{}', null, at from (${SOURCE}) s
       union all
       select md5('bench-l' || i || '-' || k || '-b')::uuid, order_id, b_id, 1, b_name, b_station, b_qty, b_price,
         case when k % 4 = 0 then '{"no onions"}'::text[] else '{}'::text[] end, null, at from (${SOURCE}) s`,
      args,
    );
    await db.query(
      `insert into payment (id, order_id, method, amount, reference, created_at)
       select md5('bench-p' || i || '-' || k)::uuid, order_id, case when k % 5 = 0 then 'CASH' else 'CARD' end::payment_method,
         sub + tax + tip, case when k % 5 = 0 then null else 'ch_' || substr(md5('bench-r' || i || '-' || k), 1, 24) end, at + interval '45 minutes'
       from (${PRICED}) p`,
      args,
    );
    await db.query(
      `insert into points_entry (id, customer_id, kind, points, order_id, reward_id, note, created_at)
       select md5('bench-e' || i || '-' || k)::uuid, ${guestId('i')}, 'EARN', sub / 100, order_id, null, null, at + interval '45 minutes'
       from (${PRICED}) p where sub >= 100`,
      args,
    );
    await db.query(
      `insert into customer_dish (customer_id, menu_item_id, count, last_ordered_at)
       select ${guestId('i')}, item, sum(qty), max(at) + interval '45 minutes' from (
         select i, a_id as item, 1 as qty, at from (${SOURCE}) s union all select i, b_id, b_qty, at from (${SOURCE}) s
       ) l group by i, item`,
      args,
    );
    await db.query(
      `insert into loyalty_account (customer_id, points, lifetime_points, updated_at)
       select ${guestId('i')}, sum(sub / 100), sum(sub / 100), now() from (${PRICED}) p group by i`,
      args,
    );
    await writeProfiles(db, args);
    await db.query('commit');
  } catch (err) {
    await db.query('rollback');
    throw err;
  }
}

/**
 * `count` open orders of today, each with one open ticket for `station` and its CREATED event
 * in the log (the kitchen board's rows). Today's order counter moves past them.
 */
export async function addOpenTickets(db, { station, count, staffId, tag }) {
  await db.query('begin');
  try {
    const today = `to_char((now() at time zone 'UTC') - interval '4 hours', 'YYYY-MM-DD')`;
    const [{ last }] = (
      await db.query(
        `select coalesce((select last_number from order_day_counter where business_date = ${today}), 0) as last`,
      )
    ).rows;
    const pick = `select j, m.id as item_id, m.name, m.price from generate_series(1, $1::int) j
      join lateral (select * from menu_item where station = $2 order by sku offset (j % (select count(*) from menu_item where station = $2)) limit 1) m on true`;
    await db.query(
      `insert into orders (id, number, business_date, status, table_name, customer_id, subtotal, discount, tax, tip, total, change_given,
         sent_to_kitchen, created_by, created_at, updated_at)
       select md5('bench-open-' || $4 || '-' || j)::uuid, $5::int + j, ${today}, 'OPEN', 'T' || (1 + j % 30), null,
         price * 2, 0, (price * 2 * 875 + 5000) / 10000, 0, price * 2 + (price * 2 * 875 + 5000) / 10000, 0,
         true, $3::uuid, now() - (($1::int - j) * interval '2 seconds'), now()
       from (${pick}) p`,
      [count, station, staffId, tag, last],
    );
    await db.query(
      `insert into order_line (id, order_id, menu_item_id, position, name, station, quantity, unit_price, modifiers, notes, created_at)
       select md5('bench-open-l-' || $3 || '-' || j)::uuid, md5('bench-open-' || $3 || '-' || j)::uuid, item_id, 0, name, $2, 2, price,
         '{"medium rare"}', case when j % 3 = 0 then 'extra crispy' end, now() - (($1::int - j) * interval '2 seconds')
       from (${pick}) p`,
      [count, station, tag],
    );
    await db.query(
      `insert into kitchen_ticket (id, order_id, order_number, station, table_name, status, items, guest_name, guest_allergies, created_at, started_at, updated_at)
       select md5('bench-open-t-' || $2 || '-' || o.number)::uuid, o.id, o.number, $1, o.table_name,
         case when o.number % 3 = 0 then 'IN_PROGRESS' else 'NEW' end::ticket_status,
         json_build_array(json_build_object('name', l.name, 'quantity', l.quantity, 'modifiers', l.modifiers, 'notes', l.notes, 'allergens', m.allergens)),
         case when o.number % 4 = 0 then 'Maria' end, case when o.number % 8 = 0 then '{peanuts}'::text[] else '{}'::text[] end, o.created_at,
         case when o.number % 3 = 0 then o.created_at + interval '1 minute' end, now()
       from orders o join order_line l on l.order_id = o.id join menu_item m on m.id = l.menu_item_id
       where o.id in (select md5('bench-open-' || $2 || '-' || j)::uuid from generate_series(1, $3::int) j)`,
      [station, tag, count],
    );
    await db.query(
      `insert into kitchen_event (ticket_id, station, type, ticket, created_at)
       select t.id, t.station, 'CREATED', json_build_object('id', t.id, 'orderId', t.order_id, 'orderNumber', t.order_number, 'station', t.station,
         'table', t.table_name, 'status', t.status, 'items', t.items, 'guestName', t.guest_name, 'guestAllergies', t.guest_allergies,
         'createdAt', t.created_at, 'startedAt', t.started_at, 'readyAt', t.ready_at, 'bumpedAt', t.bumped_at), t.created_at
       from kitchen_ticket t where t.order_id in (select md5('bench-open-' || $1 || '-' || j)::uuid from generate_series(1, $2::int) j)
       order by t.created_at`,
      [tag, count],
    );
    await db.query(
      `insert into order_day_counter (business_date, last_number) values (${today}, $1)
       on conflict (business_date) do update set last_number = greatest(order_day_counter.last_number, excluded.last_number)`,
      [Number(last) + count],
    );
    await db.query('commit');
  } catch (err) {
    await db.query('rollback');
    throw err;
  }
}

const BULK_TABLES = ['customer', 'customer_classification_due', 'customer_dish', 'orders', 'order_line', 'payment', 'points_entry', 'loyalty_account'];

/**
 * Each guest's profile from their orders (stats as their sums), with the stage, segments and
 * when they next change with the clock alone by the product's own rules (its lifecycle.ts,
 * default settings), as its checkout writes them. One new version of each guest's row. Builds
 * from before customer_classification_due existed (--product-main) get no due times.
 */
async function writeProfiles(db, args) {
  const { classify } = await import('../dist/modules/customers/lifecycle.js');
  const { rows } = await db.query(
    `select ${guestId('i')} as id, count(*)::int as n, sum(sub + tax)::int as spent,
            min(at) + interval '45 minutes' as first, max(at) + interval '45 minutes' as last
     from (${PRICED}) p group by i`,
    args,
  );
  const now = new Date();
  const cols = { id: [], n: [], spent: [], first: [], last: [], stage: [], segments: [], due: [] };
  for (const r of rows) {
    const c = classify({ visitCount: r.n, totalSpent: r.spent, firstVisitAt: r.first, lastVisitAt: r.last }, now);
    for (const [k, v] of Object.entries({ ...r, stage: c.stage, segments: `{${c.segments.join(',')}}`, due: c.validUntil })) cols[k].push(v);
  }
  await db.query(
    `update customer c set visit_count = v.n, total_spent = v.spent, first_visit_at = v.first, last_visit_at = v.last,
       lifecycle_stage = v.stage::lifecycle_stage, segments = v.segments::text[]
     from unnest($1::uuid[], $2::int[], $3::int[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::text[])
       as v(id, n, spent, first, last, stage, segments)
     where c.id = v.id`,
    [cols.id, cols.n, cols.spent, cols.first, cols.last, cols.stage, cols.segments],
  );
  const { rows: [table] } = await db.query(`select to_regclass('customer_classification_due') is not null as present`);
  if (table.present) {
    await db.query(
      `insert into customer_classification_due (customer_id, due_at)
       select v.id, v.due from unnest($1::uuid[], $2::timestamptz[]) as v(id, due) where v.due is not null`,
      [cols.id, cols.due],
    );
  }
}

/**
 * For a large step: runs `load` with this session's foreign-key triggers off (the generated rows
 * are consistent by construction) and the tables' secondary indexes dropped, then builds the
 * indexes again from their own definitions (as a restore does): the same tables and indexes in
 * the end, built in bulk instead of row by row.
 */
export async function bulkLoad(db, load) {
  const { rows: indexes } = await db.query(
    `select i.indexname, i.indexdef from pg_indexes i
     where i.schemaname = 'public' and i.tablename = any($1)
       and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
    [BULK_TABLES],
  );
  for (const { indexname } of indexes) await db.query(`drop index "${indexname}"`);
  await db.query('set session_replication_role = replica');
  try {
    await load();
  } finally {
    await db.query('set session_replication_role = default');
    await db.query('set maintenance_work_mem = \'256MB\'');
    for (const { indexdef } of indexes) await db.query(indexdef);
  }
  return indexes.map((i) => i.indexname);
}
