import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema as buildSdl, extendSchema, getNamedType, isObjectType, parse, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { startTestApp, type GqlResponse, type TestApp } from './support/app.js';
import { isolatedDatabase } from './support/isolated-db.js';
import { allOperations, type Operation } from './support/operations.js';
import { FIELDS, mayCall, mayRead, OPEN, PRINCIPALS, roleOf, type Principal } from '../src/common/access.js';
import { accessGaps, enforceAccess } from '../src/common/access-guard.js';
import { accessMarkdown } from '../src/common/access-table.js';
import { Role } from '../src/common/roles.js';
import { REPO_ROOT } from '../src/runtime.js';

// The served schema, as clients see it (the drift test keeps schema.graphql equal to the resolvers).
const schema: GraphQLSchema = buildSdl(readFileSync(`${REPO_ROOT}schema.graphql`, 'utf8'));
const operations = allOperations(schema);

let t: TestApp;
let db: Awaited<ReturnType<typeof isolatedDatabase>>;
const tokens = {} as Record<Principal, string>;
let guest: { id: string; loyaltyCode: string };

beforeAll(async () => {
  // A database of its own: every mutation is called as every role here.
  db = await isolatedDatabase('access');
  t = await startTestApp({ DATABASE_URL: db.url });
  for (const p of PRINCIPALS) if (!p.endsWith('_DEVICE')) tokens[p] = t.tokens[p as Role];
  tokens.KITCHEN_DEVICE = await t.app.services.auth.issueDeviceToken(t.as(Role.ADMIN), Role.KITCHEN, 'matrix kitchen');
  tokens.HOST_DEVICE = await t.app.services.auth.issueDeviceToken(t.as(Role.ADMIN), Role.HOST, 'matrix host');
  const c = await t.app.services.customers.createCustomer(t.as(Role.MANAGER), {
    firstName: 'Matrix',
    phone: '+14155550199',
    email: 'matrix@example.com',
    birthday: '1990-04-01',
    notes: 'likes the corner table',
    allergies: ['peanuts'],
  });
  guest = { id: c.id, loyaltyCode: c.loyaltyCode };
});
afterAll(async () => {
  await t?.close();
  await db?.drop();
});

type Outcome = 'ALLOW' | 'FORBIDDEN' | 'UNAUTHENTICATED';

/** What the access layer said about a call: its refusals carry exactly these messages. */
function outcome(res: Pick<GqlResponse, 'errors'>, field: string): Outcome {
  const refusal = res.errors?.find(
    (e) =>
      (e.path === undefined || e.path[e.path.length - 1] === field) &&
      ((e.extensions?.code === 'FORBIDDEN' && e.message === 'Not allowed for your role') ||
        (e.extensions?.code === 'UNAUTHENTICATED' && e.message === 'Authentication required')),
  );
  return (refusal?.extensions?.code as Outcome | undefined) ?? 'ALLOW';
}

describe('the access matrix covers the schema', () => {
  it('has a rule for every operation and every field, and none for anything not served', () => {
    expect(accessGaps(schema)).toEqual({ missing: [], stale: [] });
  });

  it('refuses to serve a new operation or field without a rule', () => {
    const grown = extendSchema(schema, parse('extend type Customer { homeAddress: String } extend type Query { secrets: [String!]! }'));
    expect(accessGaps(grown).missing.sort()).toEqual(['Customer.homeAddress', 'Query.secrets']);
    expect(() => enforceAccess(grown)).toThrow(/Customer\.homeAddress.*Query\.secrets|Query\.secrets.*Customer\.homeAddress/);
  });

  it('is the table in the README', () => {
    const readme = readFileSync(`${REPO_ROOT}README.md`, 'utf8');
    expect(readme, 'README matrix is stale: run `pnpm access:matrix`').toContain(accessMarkdown());
  });

  it('keeps the rules the design asks for', () => {
    const contact = ['Customer.phone', 'Customer.email', 'Customer.birthday', 'Customer.notes'];
    const spend = ['CustomerStats.totalSpent', 'CustomerStats.averageSpend', 'Customer.orders', 'Customer.interactions'];
    for (const p of ['KITCHEN', 'KITCHEN_DEVICE', 'HOST', 'HOST_DEVICE', 'SERVER'] as const) {
      for (const c of [...contact, ...spend]) expect(mayRead(c, p), `${p} ${c}`).toBe(false);
    }
    for (const c of ['Customer.allergies', 'Customer.usualDishes', 'Customer.loyalty']) expect(mayRead(c, 'SERVER'), c).toBe(true);
    for (const c of [...contact, ...spend]) expect(mayRead(c, 'MANAGER'), c).toBe(true);
    for (const op of ['Mutation.eraseCustomer', 'Mutation.createStaff', 'Mutation.revokeDeviceToken']) {
      expect(PRINCIPALS.filter((p) => mayCall(op, p)), op).toEqual(['ADMIN']);
    }
  });

  it('never lets the kitchen reach a guest: no operation the kitchen may call leads to Customer', () => {
    for (const p of ['KITCHEN', 'KITCHEN_DEVICE'] as const) expect(reachableTypes(p).has('Customer'), p).toBe(false);
  });
});

/** Object types a principal can reach from the operations it may call, through the fields it may read. */
function reachableTypes(principal: Principal): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const type = schema.getType(name);
    if (!isObjectType(type)) return;
    for (const f of Object.values(type.getFields())) {
      if (mayRead(`${name}.${f.name}`, principal)) visit(getNamedType(f.type).name);
    }
  };
  for (const op of operations) {
    if (mayCall(op.coordinate, principal)) visit(getNamedType((schema.getType(op.kind) as GraphQLObjectType).getFields()[op.field]!.type).name);
  }
  return seen;
}

describe('every operation, as every caller, over HTTP', () => {
  const http = operations.filter((o) => o.kind !== 'Subscription');

  it.each(http.map((o) => [o.coordinate, o] as const))('%s', async (_name, op: Operation) => {
    const cells = await Promise.all([
      t.gql(op.document, op.variables).then((r) => ['anonymous', outcome(r, op.field), mayCall(op.coordinate, null) ? 'ALLOW' : 'UNAUTHENTICATED'] as const),
      ...PRINCIPALS.map((p) =>
        t.gql(op.document, op.variables, tokens[p]).then((r) => [p, outcome(r, op.field), mayCall(op.coordinate, p) ? 'ALLOW' : 'FORBIDDEN'] as const),
      ),
    ]);
    expect(Object.fromEntries(cells.map(([who, got]) => [who, got]))).toEqual(Object.fromEntries(cells.map(([who, , want]) => [who, want])));
  });
});

describe('every subscription, as every caller, over graphql-ws', () => {
  const subs = operations.filter((o) => o.kind === 'Subscription');

  /** FORBIDDEN when the server refuses the subscription, ALLOW when it is still open after a while. */
  function subscribeOutcome(token: string, op: Operation): Promise<Outcome> {
    const client = t.ws(token);
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => {
        stop();
        resolve('ALLOW');
      }, 750);
      const settle = (res: Pick<GqlResponse, 'errors'>) => {
        clearTimeout(timer);
        stop();
        resolve(outcome(res, op.field));
      };
      const stop = client.subscribe(
        { query: op.document, variables: op.variables },
        {
          next: (r) => settle(r as GqlResponse),
          error: (e) => settle({ errors: Array.isArray(e) ? e : [{ message: String(e) }] }),
          complete: () => undefined,
        },
      );
    });
  }

  it.each(subs.map((o) => [o.coordinate, o] as const))('%s', async (_name, op: Operation) => {
    const cells = await Promise.all(PRINCIPALS.map(async (p) => [p, await subscribeOutcome(tokens[p], op), mayCall(op.coordinate, p) ? 'ALLOW' : 'FORBIDDEN'] as const));
    expect(Object.fromEntries(cells.map(([who, got]) => [who, got]))).toEqual(Object.fromEntries(cells.map(([who, , want]) => [who, want])));
  });
});

/**
 * How to reach each type that has restricted fields, with a real guest behind it. Each caller
 * uses the first carrier whose operation it may call; a caller with none must not be able to
 * reach the type at all (checked on the schema).
 */
const CARRIERS: Record<string, { op: string; query: (field: string) => string; vars: () => Record<string, unknown> }[]> = {
  Customer: [
    { op: 'Query.customer', query: (f) => `query($id: ID!) { customer(id: $id) { ${f} } }`, vars: () => ({ id: guest.id }) },
    { op: 'Mutation.checkInGuest', query: (f) => `mutation($c: String!) { checkInGuest(by: { loyaltyCode: $c }) { customer { ${f} } } }`, vars: () => ({ c: guest.loyaltyCode }) },
  ],
  CustomerStats: [
    { op: 'Query.customer', query: (f) => `query($id: ID!) { customer(id: $id) { stats { ${f} } } }`, vars: () => ({ id: guest.id }) },
    { op: 'Mutation.checkInGuest', query: (f) => `mutation($c: String!) { checkInGuest(by: { loyaltyCode: $c }) { customer { stats { ${f} } } } }`, vars: () => ({ c: guest.loyaltyCode }) },
  ],
};

const restricted = Object.entries(FIELDS).flatMap(([type, fields]) =>
  Object.entries(fields)
    .filter(([, rule]) => rule !== OPEN)
    .map(([field]) => ({ type, field, coordinate: `${type}.${field}` })),
);

describe('every restricted field, as every caller', () => {
  it('knows how to reach every type with a restricted field', () => {
    for (const { type } of restricted) expect(CARRIERS[type], `add a carrier for ${type}`).toBeDefined();
  });

  it.each(restricted.map((r) => [r.coordinate, r] as const))('%s', async (_name, { type, field, coordinate }) => {
    const fieldType = getNamedType((schema.getType(type) as GraphQLObjectType).getFields()[field]!.type);
    const selection = isObjectType(fieldType) ? `${field} { __typename }` : field;
    const cells = await Promise.all(
      PRINCIPALS.map(async (p) => {
        const want = mayRead(coordinate, p) ? 'ALLOW' : 'FORBIDDEN';
        const carrier = CARRIERS[type]!.find((c) => mayCall(c.op, p));
        if (!carrier) {
          // No way in: the type must be out of this caller's reach altogether.
          return [p, reachableTypes(p).has(type) ? 'REACHABLE WITHOUT A CARRIER' : 'FORBIDDEN', want] as const;
        }
        const res = await t.gql(carrier.query(selection), carrier.vars(), tokens[p]);
        const got = outcome(res, field);
        // An allowed read must really return the guest's value, not just fail for another reason.
        if (got === 'ALLOW' && res.errors?.length) return [p, `ERROR ${JSON.stringify(res.errors)}`, want] as const;
        return [p, got, want] as const;
      }),
    );
    expect(Object.fromEntries(cells.map(([who, got]) => [who, got]))).toEqual(Object.fromEntries(cells.map(([who, , want]) => [who, want])));
  });

  it('gives each role the role its device token carries', () => {
    expect(roleOf('KITCHEN_DEVICE')).toBe(Role.KITCHEN);
    expect(roleOf('HOST_DEVICE')).toBe(Role.HOST);
  });
});
