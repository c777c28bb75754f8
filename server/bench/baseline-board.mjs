// W6 baseline: plain graphql-js on node:http serving the kitchen display's KitchenBoard shape
// from one raw `pg` statement (open tickets of a station plus the log cursor, one snapshot).
import { buildSchema, graphql, GraphQLScalarType } from 'graphql';
import pg from 'pg';
import { serveBaseline } from './lib/http-server.mjs';

const schema = buildSchema(`
  scalar DateTime
  type Query { kitchenBoard(station: String): KitchenBoard! }
  type KitchenBoard { cursor: String! tickets: [KitchenTicket!]! }
  type KitchenTicket {
    id: ID! orderId: ID! orderNumber: Int! station: String! table: String status: String! items: [TicketItem!]!
    guestName: String guestAllergies: [String!]! createdAt: DateTime! startedAt: DateTime readyAt: DateTime bumpedAt: DateTime
  }
  type TicketItem { name: String! quantity: Int! modifiers: [String!]! notes: String allergens: [String!]! }
`);
Object.assign(
  schema.getType('DateTime'),
  new GraphQLScalarType({ name: 'DateTime', serialize: (d) => (d instanceof Date ? d.toISOString() : d) }),
);

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });

const root = {
  async kitchenBoard({ station }) {
    const { rows } = await pool.query(
      `with m as (select coalesce(max(id), 0)::text as cursor from kitchen_event)
       select m.cursor, t.id, t.order_id as "orderId", t.order_number as "orderNumber", t.station, t.table_name as "table", t.status, t.items,
         t.guest_name as "guestName", t.guest_allergies as "guestAllergies", t.created_at as "createdAt", t.started_at as "startedAt",
         t.ready_at as "readyAt", t.bumped_at as "bumpedAt"
       from m left join kitchen_ticket t on t.status in ('NEW', 'IN_PROGRESS', 'READY') and ($1::text is null or t.station = $1)
       order by t.created_at, t.id`,
      [station ?? null],
    );
    return { cursor: rows[0].cursor, tickets: rows.filter((r) => r.id) };
  },
};

serveBaseline(
  'baseline-board',
  (body) => graphql({ schema, source: body.query, variableValues: body.variables, rootValue: root }),
  () => pool.end(),
);
