// W1 baseline: plain graphql-js on node:http with ioredis, serving the register's LookupGuest
// shape from Redis. A miss builds the profile from PostgreSQL once and stores it (cache-aside),
// so after warm-up every request is one Redis GET plus graphql-js parse, validate and execute.
import { buildSchema, graphql } from 'graphql';
import { Redis } from 'ioredis';
import pg from 'pg';
import { serveBaseline } from './lib/http-server.mjs';

const schema = buildSchema(`
  type Query { customerLookup(by: CustomerLookupInput!): Customer }
  input CustomerLookupInput { phone: String email: String loyaltyCode: String }
  type Customer {
    id: ID! firstName: String! lastName: String allergies: [String!]! tags: [String!]! lifecycleStage: String!
    stats: CustomerStats! usualDishes(limit: Int = 3): [DishCount!]! loyalty: LoyaltyAccountView! offers: [Offer!]!
  }
  type CustomerStats { visitCount: Int! }
  type DishCount { count: Int! menuItem: MenuItem! }
  type MenuItem { id: ID! name: String! }
  type LoyaltyAccountView { points: Int! tier: String! availableRewards: [Reward!]! }
  type Reward { id: ID! name: String! pointsCost: Int! }
  type Offer { id: ID! title: String! }
`);

const redis = new Redis(process.env.REDIS_URL);
const prefix = `${process.env.BENCH_REDIS_PREFIX ?? 'pos-bench:'}baseline:w1:`;
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
const TIERS = [
  ['Gold', 1500],
  ['Silver', 500],
  ['Bronze', 0],
];

async function build(phone) {
  const { rows } = await pool.query(
    `select c.id, c.first_name, c.last_name, c.allergies, c.tags, c.lifecycle_stage, c.visit_count, c.total_spent,
       coalesce(a.points, 0) as points, coalesce(a.lifetime_points, 0) as lifetime_points,
       (select coalesce(json_agg(json_build_object('count', d.count, 'menuItem', json_build_object('id', m.id, 'name', m.name))), '[]')
          from (select * from customer_dish where customer_id = c.id order by count desc, last_ordered_at desc limit 5) d join menu_item m on m.id = d.menu_item_id) as dishes,
       (select coalesce(json_agg(json_build_object('id', r.id, 'name', r.name, 'pointsCost', r.points_cost) order by r.points_cost), '[]')
          from reward r where r.active and r.points_cost <= coalesce(a.points, 0)) as rewards
     from customer c left join loyalty_account a on a.customer_id = c.id where c.phone = $1 and c.erased_at is null`,
    [phone],
  );
  const c = rows[0];
  if (!c) return null;
  return {
    id: c.id,
    firstName: c.first_name,
    lastName: c.last_name,
    allergies: c.allergies,
    tags: c.tags,
    lifecycleStage: c.lifecycle_stage,
    stats: { visitCount: c.visit_count },
    dishes: c.dishes,
    loyalty: {
      points: c.points,
      tier: TIERS.find(([, min]) => c.lifetime_points >= min)[0],
      availableRewards: c.rewards,
    },
    offers: [],
  };
}

const root = {
  async customerLookup({ by }) {
    const key = prefix + by.phone;
    const cached = await redis.get(key);
    let profile = cached && JSON.parse(cached);
    if (!profile) {
      profile = await build(by.phone);
      if (profile) await redis.set(key, JSON.stringify(profile), 'EX', 600);
    }
    return profile && { ...profile, usualDishes: ({ limit }) => profile.dishes.slice(0, limit) };
  },
};

serveBaseline(
  'baseline-lookup',
  (body) => graphql({ schema, source: body.query, variableValues: body.variables, rootValue: root }),
  async () => {
    redis.disconnect();
    await pool.end();
  },
);
