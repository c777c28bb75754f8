import { readFileSync } from 'node:fs';
import { parse, print, type DefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { customer, key, menuItem, placeOrder } from './support/factories.js';
import { metric } from './support/metrics.js';

/**
 * Hot operations are executed by graphql-jit (common/compiled-execution.ts). With
 * GRAPHQL_COMPILE_AFTER=3 an operation's first two runs are graphql-js's and the third on are
 * compiled: every answer must be the same either way, data and errors alike (the rest of the
 * suite runs compiled from the first run).
 */
describe('compiled execution (graphql-jit) answers as graphql-js does', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ GRAPHQL_COMPILE_AFTER: 3 });
  });
  afterAll(() => t?.close());

  const compiled = () => metric(t.url, 'pos_graphql_operations_compiled_total', { result: 'compiled' });

  /** Runs one operation three times: the answers, and how many operations were compiled before each run. */
  async function threeRuns(query: string, variables: Record<string, unknown>, token: string | undefined) {
    const answers = [];
    const compiledBefore = [];
    for (let i = 0; i < 3; i++) {
      compiledBefore.push(await compiled());
      answers.push(await t.gql(query, variables, token));
    }
    compiledBefore.push(await compiled());
    return { answers, compiledBefore };
  }

  async function sameBothWays(query: string, variables: Record<string, unknown>, token?: string) {
    const { answers, compiledBefore } = await threeRuns(query, variables, token);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    // Compiled on the third run, not before.
    const [a, b, c, d] = compiledBefore;
    expect([b! - a!, c! - b!, d! - c!]).toEqual([0, 0, 1]);
    return answers[0]!;
  }

  /** One operation of a display's document, with the fragments it uses. */
  function displayOperation(file: string, name: string): string {
    const doc = parse(readFileSync(new URL(`../../displays/src/graphql/${file}`, import.meta.url), 'utf8'));
    const operation = doc.definitions.find((d) => d.kind === 'OperationDefinition' && d.name?.value === name)!;
    const fragments = doc.definitions.filter((d) => d.kind === 'FragmentDefinition' && print(operation).includes(`...${d.name.value}`));
    return print({ kind: 'Document' as never, definitions: [operation, ...fragments] as DefinitionNode[] });
  }

  it('the register’s lookup, the kitchen board and the menu', async () => {
    const dish = await menuItem(t, { station: 'grill' });
    const phone = `+1555${String(Date.now()).slice(-7)}`;
    const guest = await customer(t, { phone, allergies: ['peanuts'] });
    const order = await placeOrder(t, { customerId: guest.id, items: [{ menuItemId: dish.id, quantity: 2 }] });
    expect(order.errors).toBeUndefined();

    const lookup = await sameBothWays(displayOperation('register.graphql', 'LookupGuest'), { by: { phone } }, t.tokens.SERVER);
    expect(lookup.data?.customerLookup.id).toBe(guest.id);
    const board = await sameBothWays(displayOperation('kitchen.graphql', 'KitchenBoard'), { station: 'grill' }, t.tokens.KITCHEN);
    expect(JSON.stringify(board)).toContain(order.data!.placeOrder.id);
    const menu = await sameBothWays('{ menu { id name price station allergens stock } }', {}, t.tokens.SERVER);
    expect(JSON.stringify(menu.data)).toContain(dish.id);
  });

  it('a field the caller may not read: the same partial data and FORBIDDEN error with its path', async () => {
    const phone = `+1555${String(Date.now() + 1).slice(-7)}`;
    await customer(t, { phone });
    const answer = await sameBothWays('query($by: CustomerLookupInput!) { customerLookup(by: $by) { firstName phone } }', { by: { phone } }, t.tokens.KITCHEN);
    expect(answer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('a refused mutation and variables that do not fit: the same errors, nothing written', async () => {
    const unknown = await sameBothWays(
      'mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id } }',
      { i: { idempotencyKey: key(), items: [{ menuItemId: '00000000-0000-0000-0000-000000000000', quantity: 1 }] } },
      t.tokens.SERVER,
    );
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors?.[0]?.path).toEqual(['placeOrder']);

    // A request error (the variables do not fit) is graphql-js's own even once compiled, so it
    // reads the same; the operation is compiled all the same.
    const wrong = await sameBothWays('query($by: CustomerLookupInput!) { customerLookup(by: $by) { id } }', { by: { phone: 5 } }, t.tokens.SERVER);
    expect(wrong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(wrong.errors?.[0]?.message).toMatch(/^Variable "\$by" got an invalid value at "by.phone"/);
  });

  it('a run with GRAPHQL_COMPILE_AFTER=0 compiles nothing', async () => {
    const off = await startTestApp({ GRAPHQL_COMPILE_AFTER: 0 });
    try {
      for (let i = 0; i < 5; i++) expect((await off.gql('{ menu { id } }', {}, off.tokens.SERVER)).errors).toBeUndefined();
      expect(await metric(off.url, 'pos_graphql_operations_compiled_total', { result: 'compiled' })).toBe(0);
    } finally {
      await off.close();
    }
  });
});
