import { randomUUID } from 'node:crypto';
import type { TestApp } from './app.js';

export const ORDER_FIELDS = `id number status table subtotal discount tax tip total changeGiven createdAt paidAt
  customer { id firstName }
  lines { id name quantity unitPrice modifiers notes menuItem { id name stock available } }
  payments { id method amount reference }`;

export interface MenuItemRow {
  id: string;
  name: string;
  price: number;
  stock: number | null;
}

/** A menu item of its own for one test (unique SKU and name). */
export async function menuItem(t: TestApp, fields: { price?: number; stock?: number | null; station?: string; name?: string } = {}): Promise<MenuItemRow> {
  const tag = randomUUID().slice(0, 8);
  const res = await t.gql<{ createMenuItem: MenuItemRow }>(
    'mutation($i: MenuItemInput!) { createMenuItem(input: $i) { id name price stock } }',
    {
      i: {
        sku: `T-${tag}`,
        name: fields.name ?? `Dish ${tag}`,
        category: 'Test',
        price: fields.price ?? 1_000,
        station: fields.station ?? 'grill',
        allergens: ['milk'],
        stock: fields.stock ?? null,
      },
    },
    t.tokens.ADMIN,
  );
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.createMenuItem;
}

export async function customer(t: TestApp, fields: Record<string, unknown> = {}): Promise<{ id: string; loyaltyCode: string }> {
  const res = await t.gql<{ createCustomer: { id: string; loyaltyCode: string } }>(
    'mutation($i: CustomerInput!) { createCustomer(input: $i) { id loyaltyCode } }',
    { i: { firstName: 'Guest', ...fields } },
    t.tokens.MANAGER,
  );
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.createCustomer;
}

export const key = () => randomUUID();

export function placeOrder(t: TestApp, input: Record<string, unknown>, token = t.tokens.SERVER) {
  return t.gql<{ placeOrder: any }>(`mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { ${ORDER_FIELDS} } }`, { i: { idempotencyKey: key(), ...input } }, token);
}

export function checkout(t: TestApp, orderId: string, input: Record<string, unknown>, token = t.tokens.SERVER) {
  return t.gql<{ checkout: any }>(
    `mutation($id: ID!, $i: CheckoutInput!) { checkout(orderId: $id, input: $i) { ${ORDER_FIELDS} } }`,
    { id: orderId, i: { idempotencyKey: key(), ...input } },
    token,
  );
}

/** Counts rows straight from PostgreSQL, to show that a refused request wrote nothing. */
export async function count(t: TestApp, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const [row] = await t.orm.em.fork().execute<{ n: string }[]>(`select count(*)::text as n from "${table}" where ${where}`, params);
  return Number(row!.n);
}
