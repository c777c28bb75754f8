import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { collect, settle, startTestApp, type TestApp } from './support/app.js';
import { Role } from '../src/common/roles.js';
import { MenuItem } from '../src/modules/menu/menu-item.entity.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

const FIELDS = 'id sku name category price station allergens available stock';
const CREATE = `mutation($input: MenuItemInput!) { createMenuItem(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: MenuItemPatch!) { updateMenuItem(id: $id, input: $input) { ${FIELDS} } }`;
const SET_STOCK = `mutation($id: ID!, $stock: Int) { setStock(menuItemId: $id, stock: $stock) { ${FIELDS} } }`;
const UPDATES = `subscription { menuUpdates { id name price available stock } }`;

type Item = { id: string; sku: string; name: string; price: number; available: boolean; stock: number | null; allergens: string[] };

function input(overrides: Record<string, unknown> = {}) {
  return { sku: `SKU-${randomUUID().slice(0, 8)}`, name: 'Smash Burger', category: 'Mains', price: 1450, station: 'grill', allergens: ['Gluten', 'dairy', 'gluten'], ...overrides };
}

async function create(overrides: Record<string, unknown> = {}): Promise<Item> {
  const res = await t.gql<{ createMenuItem: Item }>(CREATE, { input: input(overrides) }, t.tokens.MANAGER);
  expect(res.errors).toBeUndefined();
  return res.data!.createMenuItem;
}

describe('menu', () => {
  it('creates an item with integer price and normalised allergens, visible to every role', async () => {
    const item = await create({ stock: 5 });
    expect(item).toMatchObject({ price: 1450, available: true, stock: 5, allergens: ['gluten', 'dairy'] });
    for (const role of Object.values(Role)) {
      const res = await t.gql<{ menu: Item[] }>('{ menu { id available } }', {}, t.tokens[role]);
      expect(res.data!.menu.map((m) => m.id)).toContain(item.id);
    }
  });

  it.each([Role.SERVER, Role.HOST, Role.KITCHEN])('denies createMenuItem to %s', async (role) => {
    const sku = `DENY-${randomUUID().slice(0, 8)}`;
    const res = await t.gql(CREATE, { input: input({ sku }) }, t.tokens[role]);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await t.orm.em.fork().count(MenuItem, { sku })).toBe(0);
  });

  it.each([
    [{ name: '' }, 'name'],
    [{ name: '   ' }, 'name'],
    [{ price: -1 }, 'price'],
    [{ stock: -3 }, 'stock'],
    [{ station: 'Grill Station!' }, 'station'],
    [{ sku: '' }, 'sku'],
  ])('refuses %j with BAD_USER_INPUT naming the field and writes nothing', async (bad, field) => {
    const before = await t.orm.em.fork().count(MenuItem, {});
    const res = await t.gql(CREATE, { input: input(bad) }, t.tokens.ADMIN);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toContain(field);
    expect(await t.orm.em.fork().count(MenuItem, {})).toBe(before);
  });

  it('refuses a float price as BAD_USER_INPUT', async () => {
    const res = await t.gql(CREATE, { input: input({ price: 12.5 }) }, t.tokens.ADMIN);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a duplicate SKU and keeps the first item', async () => {
    const first = await create();
    const res = await t.gql(CREATE, { input: input({ sku: first.sku, name: 'Other' }) }, t.tokens.ADMIN);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toContain('sku');
    expect(await t.orm.em.fork().count(MenuItem, { sku: first.sku })).toBe(1);
  });

  it('updates fields, refuses bad patches unchanged, and answers NOT_FOUND for an unknown id', async () => {
    const item = await create();
    const ok = await t.gql<{ updateMenuItem: Item }>(UPDATE, { id: item.id, input: { price: 1600, name: 'Double Smash' } }, t.tokens.ADMIN);
    expect(ok.data!.updateMenuItem).toMatchObject({ price: 1600, name: 'Double Smash' });
    const bad = await t.gql(UPDATE, { id: item.id, input: { price: -5 } }, t.tokens.ADMIN);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const row = await t.orm.em.fork().findOneOrFail(MenuItem, { id: item.id });
    expect(row.price).toBe(1600);
    const missing = await t.gql(UPDATE, { id: randomUUID(), input: { price: 1 } }, t.tokens.ADMIN);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses negative stock, and the database refuses it too (CHECK constraint)', async () => {
    const item = await create({ stock: 2 });
    const res = await t.gql(SET_STOCK, { id: item.id, stock: -1 }, t.tokens.MANAGER);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await expect(
      t.orm.em.fork().getConnection().execute('UPDATE menu_item SET stock = -1 WHERE id = ?', [item.id]),
    ).rejects.toThrow(/menu_item_stock_non_negative/);
    expect((await t.orm.em.fork().findOneOrFail(MenuItem, { id: item.id })).stock).toBe(2);
  });
});

describe('menuUpdates', () => {
  it('publishes creating, updating, 86ing (stock 0), switching off and untracking, in order', async () => {
    const client = t.ws(t.tokens.KITCHEN);
    const sub = collect<{ menuUpdates: Item }>(client, UPDATES, {}, 5);
    await settle();
    const item = await create({ name: 'Wings', stock: 3 });
    await t.gql(UPDATE, { id: item.id, input: { price: 999 } }, t.tokens.ADMIN);
    const eightySixed = await t.gql<{ setStock: Item }>(SET_STOCK, { id: item.id, stock: 0 }, t.tokens.KITCHEN);
    expect(eightySixed.data!.setStock).toMatchObject({ stock: 0, available: false });
    await t.gql(UPDATE, { id: item.id, input: { available: false } }, t.tokens.ADMIN);
    await t.gql(SET_STOCK, { id: item.id, stock: null }, t.tokens.ADMIN);
    const results = await sub.done;
    expect(results[0]!.errors).toBeUndefined();
    const events = results.map((r) => r.data!.menuUpdates);
    expect(events.map((e) => [e.name, e.price, e.stock, e.available])).toEqual([
      ['Wings', 1450, 3, true],
      ['Wings', 999, 3, true],
      ['Wings', 999, 0, false],
      ['Wings', 999, 0, false],
      ['Wings', 999, null, false],
    ]);
  });

  it('publishes nothing for a refused change', async () => {
    const client = t.ws(t.tokens.ADMIN);
    const sub = collect<{ menuUpdates: Item }>(client, UPDATES, {}, 1, 1500);
    await settle();
    await t.gql(CREATE, { input: input({ price: -1 }) }, t.tokens.ADMIN);
    await expect(sub.done).rejects.toThrow(/timed out with 0\/1/);
  });
});
