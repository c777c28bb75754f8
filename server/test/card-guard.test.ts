import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildSchema as buildSdl,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { collect, startTestApp, type TestApp } from './support/app.js';
import { isolatedDatabase } from './support/isolated-db.js';
import { operationFor, sampleValue } from './support/operations.js';
import { mayCall, type Principal } from '../src/common/access.js';
import { EXEMPT } from '../src/common/card-guard.js';
import { Role } from '../src/common/roles.js';
import { REPO_ROOT } from '../src/runtime.js';

const schema = buildSdl(readFileSync(`${REPO_ROOT}schema.graphql`, 'utf8'));
const CARD = '4111 1111 1111 1111';
const CARD_DIGITS = '4111111111111111';

/** Every place in an argument's type where text goes (paths like input.items.0.notes), all optional parts included. */
function textPaths(type: GraphQLInputType, path: string, seen: string[] = []): string[] {
  if (isNonNullType(type)) return textPaths(type.ofType, path, seen);
  if (isListType(type)) return textPaths(type.ofType, `${path}.0`, seen);
  if (isScalarType(type)) return type.name === 'String' ? [path] : [];
  if (isInputObjectType(type) && !seen.includes(type.name)) {
    return Object.values(type.getFields()).flatMap((f) => textPaths(f.type, `${path}.${f.name}`, [...seen, type.name]));
  }
  return [];
}

/** A value of the type with every optional field present, and the card number at `path`. */
function valueWithCard(type: GraphQLInputType, path: string[], here: string[] = []): unknown {
  if (isNonNullType(type)) return valueWithCard(type.ofType, path, here);
  if (isListType(type)) return [valueWithCard(type.ofType, path, [...here, '0'])];
  if (isInputObjectType(type)) {
    return Object.fromEntries(Object.values(type.getFields()).map((f) => [f.name, valueWithCard(f.type, path, [...here, f.name])]));
  }
  if (here.join('.') === path.join('.')) return CARD;
  return sampleValue(type);
}

interface Case {
  coordinate: string;
  field: string;
  kind: 'Query' | 'Mutation' | 'Subscription';
  document: string;
  variables: Record<string, unknown>;
  path: string;
  principal: Principal | null;
}

const STAFF: Principal[] = ['ADMIN', 'MANAGER', 'SERVER', 'HOST', 'KITCHEN'];
const cases: Case[] = [];
for (const kind of ['Query', 'Mutation', 'Subscription'] as const) {
  for (const field of Object.values((schema.getType(kind) as GraphQLObjectType).getFields()) as GraphQLField<unknown, unknown>[]) {
    const coordinate = `${kind}.${field.name}`;
    const principal = mayCall(coordinate, null) ? null : (STAFF.find((p) => mayCall(coordinate, p)) ?? 'KITCHEN');
    for (const arg of field.args) {
      for (const path of textPaths(arg.type, arg.name)) {
        if (path.split('.').some((part) => EXEMPT.has(part))) continue; // not free text (see card-guard.ts)
        // The generated call declares the required arguments; an optional one under test is added.
        const op = operationFor(kind, field);
        const withArg = op.document.includes(`$${arg.name}:`) ? op : declareOptional(op, arg.name, arg.type.toString(), kind, field.name);
        cases.push({ coordinate, field: field.name, kind, document: withArg.document, variables: { ...withArg.variables, [arg.name]: valueWithCard(arg.type, path.split('.'), [arg.name]) }, path, principal });
      }
    }
  }
}

/** Adds an optional argument to a generated document. */
function declareOptional(op: { document: string; variables: Record<string, unknown> }, name: string, type: string, kind: string, field: string) {
  const head = op.document.match(/^(\w+)(\((.*?)\))? \{ (\w+)(\((.*?)\))?(.*)$/)!;
  const decl = [head[3], `$${name}: ${type}`].filter(Boolean).join(', ');
  const call = [head[6], `${name}: $${name}`].filter(Boolean).join(', ');
  return { document: `${kind.toLowerCase()}(${decl}) { ${field}(${call})${head[7]}`, variables: op.variables };
}

let t: TestApp;
let db: Awaited<ReturnType<typeof isolatedDatabase>>;
let logged = '';
beforeAll(async () => {
  db = await isolatedDatabase('card');
  const sink = new Writable({ write: (chunk, _enc, cb) => ((logged += String(chunk)), cb()) });
  t = await startTestApp({ DATABASE_URL: db.url, LOG_LEVEL: 'debug' }, { logStream: sink });
});
afterAll(async () => {
  await t?.close();
  await db?.drop();
});

async function rowCounts(): Promise<Record<string, number>> {
  const em = t.orm.em.fork();
  const tables = await em.execute<{ t: string }[]>(`select tablename as t from pg_tables where schemaname = 'public' and tablename not like 'mikro_orm%'`);
  const out: Record<string, number> = {};
  for (const { t: name } of tables) out[name] = Number((await em.execute<{ n: string }[]>(`select count(*)::text as n from "${name}"`))[0]!.n);
  return out;
}

describe('no card number enters through any text argument', () => {
  it('finds text arguments in most operations (the generator works)', () => {
    expect(cases.length).toBeGreaterThan(35);
    expect(cases.map((c) => `${c.coordinate}:${c.path}`)).toEqual(expect.arrayContaining(['Mutation.placeOrder:input.items.0.notes', 'Mutation.placeOrder:input.items.0.modifiers.0', 'Mutation.updateCustomer:input.allergies.0', 'Mutation.issueDeviceToken:name', 'Mutation.createPromotion:input.name', 'Mutation.checkout:input.payments.0.reference', 'Query.customerLookup:by.phone']));
  });

  it('refuses each one with BAD_USER_INPUT naming the field, stores nothing and logs no card number', { timeout: 60_000 }, async () => {
    const before = await rowCounts();
    const failures: string[] = [];
    for (const c of cases.filter((x) => x.kind !== 'Subscription')) {
      const res = await t.gql(c.document, c.variables, c.principal ? t.tokens[c.principal as Role] : undefined);
      const e = res.errors?.[0];
      if (e?.extensions?.code !== 'BAD_USER_INPUT' || e.extensions.field !== c.path || !/card number/.test(e.message)) failures.push(`${c.coordinate} ${c.path}: ${JSON.stringify(res.errors ?? res.data)}`);
      else if (JSON.stringify(res).includes('4111')) failures.push(`${c.coordinate} ${c.path}: echoed the number`);
    }
    expect(failures).toEqual([]);
    expect(await rowCounts()).toEqual(before);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.replace(/\s/g, '')).not.toContain(CARD_DIGITS);
  });

  it('refuses them in subscriptions over graphql-ws too', async () => {
    const subs = cases.filter((x) => x.kind === 'Subscription');
    expect(subs.length).toBeGreaterThan(0);
    for (const c of subs) {
      const client = t.ws(t.tokens[c.principal as Role]);
      await expect(collect(client, c.document, c.variables, 1, 3_000).done.then((r) => JSON.stringify(r)), `${c.coordinate} ${c.path}`).resolves.toMatch(/BAD_USER_INPUT.*card number|card number.*BAD_USER_INPUT/);
    }
  });

  it('covers the arguments of nested fields as well (Customer.orders(after:))', async () => {
    const c = await t.app.services.customers.createCustomer(t.as(Role.MANAGER), { firstName: 'Carded' });
    const res = await t.gql('query($id: ID!, $a: String) { customer(id: $id) { id orders(after: $a) { nodes { id } } } }', { id: c.id, a: CARD }, t.tokens.MANAGER);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(res.errors?.[0]?.message).toMatch(/card number/);
  });

  it('refuses an ID that is not one this API gave out (a card number there included) before any SQL', async () => {
    for (const id of [CARD, '12', 'not-an-id']) {
      const res = await t.gql('mutation($id: ID!) { eraseCustomer(id: $id) }', { id }, t.tokens.ADMIN);
      expect(res.errors?.[0]?.extensions, id).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    }
  });

  it('never takes a UUID for a card number, whatever its digits', async () => {
    // 8 + 4 + 4 digits in a row, Luhn-valid: 4111-1111-1111-1111 in a UUID's first three groups, then a letter.
    const res = await t.gql('mutation($id: ID!) { eraseCustomer(id: $id) }', { id: '41111111-1111-1111-a111-11111111111a' }, t.tokens.ADMIN);
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // Nor in a String argument: an idempotency key is a UUID the client made.
    const item = await t.gql<{ createMenuItem: { id: string } }>(
      'mutation($i: MenuItemInput!) { createMenuItem(input: $i) { id } }',
      { i: { sku: 'UUID-KEY-1', name: 'Key test', category: 'Test', price: 100, station: 'grill', allergens: [] } },
      t.tokens.MANAGER,
    );
    const order = await t.gql('mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id } }', { i: { idempotencyKey: '41111111-1111-1111-a111-11111111111a', items: [{ menuItemId: item.data!.createMenuItem.id, quantity: 1 }] } }, t.tokens.SERVER);
    expect(order.errors).toBeUndefined();
  });

  it('still accepts ordinary numbers: a phone number, a table, an order number', async () => {
    const ok = await t.gql('mutation($i: CustomerInput!) { createCustomer(input: $i) { id } }', { i: { firstName: 'Nina', phone: '+1 415 555 0142', notes: 'table 12, party of 4' } }, t.tokens.MANAGER);
    expect(ok.errors).toBeUndefined();
  });
});

