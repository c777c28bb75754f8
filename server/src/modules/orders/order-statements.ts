/**
 * The hand-written statements of the busiest writes, placeOrder and checkout (bench W4/W5): each
 * a few statements with no unit of work, and read-only orders for their answers built from what
 * was written rather than read back. The rarer mutations use MikroORM (orders.service.ts).
 */
import { Collection } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../common/errors.js';
import type { Statement } from '../../common/statement.js';
import { executeLast } from '../../infra/pg-client.js';
import type { MenuItem } from '../menu/menu-item.entity.js';
import { menuItemOf, type MenuItemView } from '../menu/menu.service.js';
import { Customer } from '../customers/customer.entity.js';
import { Order, OrderLine, OrderStatus, Payment } from './order.entity.js';
import { executePrepared } from '../../infra/prepared-statements.js';
import { entityView } from '../../common/entity-view.js';

/** The new order's number, from placeOrder's counter CTE. */
export const DAY_NUMBER = '(select "last_number" from "day")';

/** An orders row as checkout reads it. */
interface OrderRow {
  id: string;
  number: number;
  business_date: string;
  status: OrderStatus;
  table_name: string | null;
  customer_id: string | null;
  subtotal: number;
  discount: number;
  tax: number;
  tip: number;
  total: number;
  change_given: number;
  sent_to_kitchen: boolean;
  created_by: string;
  created_at: Date | string;
  paid_at: Date | string | null;
  voided_at: Date | string | null;
  void_reason: string | null;
  voided_by: string | null;
  updated_at: Date | string;
}

const ORDER_COLUMNS =
  '"id", "number", "business_date", "status", "table_name", "customer_id", "subtotal", "discount", "tax", "tip", "total", "change_given", "sent_to_kitchen", "created_by", "created_at", "paid_at", "voided_at", "void_reason", "voided_by", "updated_at"';

/** The menu item columns a line's answer shows (MenuItemView's). */
const MENU_COLUMNS = ['id', 'sku', 'name', 'category', 'price', 'station', 'allergens', 'stock', 'enabled'] as const;

/** An order_line row with its menu item's columns (prefixed m_). */
type LineRow = {
  id: string;
  position: number;
  name: string;
  station: string;
  quantity: number;
  unit_price: number;
  modifiers: string[];
  notes: string | null;
  created_at: Date | string;
} & Record<`m_${(typeof MENU_COLUMNS)[number]}`, unknown>;

/** A line as placeOrder writes it. */
export interface NewLine {
  id: string;
  menuItemId: string;
  position: number;
  name: string;
  station: string;
  quantity: number;
  unitPrice: number;
  modifiers: string[];
  notes: string | null;
}

/** A read-only line for a mutation's answer (never persisted; no link back to the order, which would propagate). */
export function detachedLine(l: Omit<NewLine, 'menuItemId'>, menuItem: MenuItem, createdAt: Date): OrderLine {
  const { id, position, name, station, quantity, unitPrice, modifiers, notes } = l;
  return entityView(OrderLine, { id, menuItem, position, name, station, quantity, unitPrice, modifiers, notes, createdAt });
}

/**
 * A read-only Order for a mutation's answer, built from what its transaction wrote and read
 * instead of reading it back. The guest is a reference, loaded only when the answer asks for it.
 */
export function detachedOrder(
  em: EntityManager,
  fields: Omit<Order, 'customer' | 'lines' | 'payments'>,
  customerId: string | null,
  lines: OrderLine[],
  payments: Payment[],
): Order {
  const order = entityView(Order, fields);
  order.customer = customerId ? em.getReference(Customer, customerId) : null;
  order.lines = new Collection<OrderLine>(order, lines);
  order.payments = new Collection<Payment>(order, payments);
  return order;
}

/**
 * Writes a new order in one statement, the transaction's last: the day's number, the order,
 * its lines, and the writes given (the kitchen tickets and events). The day's counter row and
 * the kitchen log lock are hot (every order takes them) and stay locked until commit, so they
 * are taken here, and the COMMIT goes with this statement (`executeLast`): they are released as
 * soon as PostgreSQL has run it. Returns the number.
 */
export async function insertOrder(
  em: EntityManager,
  o: Pick<Order, 'id' | 'businessDate' | 'table' | 'subtotal' | 'discount' | 'tax' | 'tip' | 'total' | 'sentToKitchen' | 'createdBy' | 'createdAt'>,
  customerId: string | null,
  lines: readonly NewLine[],
  /** Common table expressions (`"name" as (...)`), with their parameters. */
  writes: readonly Statement[],
): Promise<number> {
  const ctes = writes.map((w) => w.sql).join(', ');
  const lineValues = lines.map(() => '(?::uuid, ?::uuid, ?::uuid, ?::int, ?, ?, ?::int, ?::int, array[?]::text[], ?, ?::timestamptz)').join(', ');
  const [row] = await executeLast<{ number: number }[]>(
    em,
    `with "day" as (
       insert into "order_day_counter" ("business_date", "last_number") values (?, 1)
       on conflict ("business_date") do update set "last_number" = "order_day_counter"."last_number" + 1
       returning "last_number"
     ), "o" as (
       insert into "orders" ("id", "number", "business_date", "status", "table_name", "customer_id", "subtotal", "discount", "tax", "tip", "total",
         "change_given", "sent_to_kitchen", "created_by", "created_at", "updated_at")
       select ?::uuid, "day"."last_number", ?, 'OPEN'::order_status, ?, ?::uuid, ?::int, ?::int, ?::int, ?::int, ?::int, 0, ?::boolean, ?::uuid, ?::timestamptz, ?::timestamptz
       from "day" returning "number"
     ), "l" as (
       insert into "order_line" ("id", "order_id", "menu_item_id", "position", "name", "station", "quantity", "unit_price", "modifiers", "notes", "created_at")
       values ${lineValues}
     )${ctes ? `, ${ctes}` : ''}
     select "number" from "o"`,
    [
      o.businessDate,
      o.id,
      o.businessDate,
      o.table,
      customerId,
      o.subtotal,
      o.discount,
      o.tax,
      o.tip,
      o.total,
      o.sentToKitchen,
      o.createdBy,
      o.createdAt,
      o.createdAt,
      ...lines.flatMap((l) => [l.id, o.id, l.menuItemId, l.position, l.name, l.station, l.quantity, l.unitPrice, l.modifiers, l.notes, o.createdAt]),
      ...writes.flatMap((w) => w.params),
    ],
  );
  return row!.number;
}

/**
 * checkout's first read, the order row locked: a statement to run with the idempotency key's
 * claim. `row_version` (the row's xmin) tells whether the row changed after the statement's
 * snapshot was taken: see linesForCheckout.
 */
export function orderForCheckout(orderId: string): Statement {
  return { sql: `select ${ORDER_COLUMNS}, "xmin"::text as "row_version" from "orders" where "id" = ?::uuid for update`, params: [orderId] };
}

const LINE_SELECT = `l."id", l."position", l."name", l."station", l."quantity", l."unit_price", l."modifiers", l."notes", l."created_at",
       ${MENU_COLUMNS.map((c) => `m."${c}" as "m_${c}"`).join(', ')}`;

/**
 * The order's lines with their menu items, read in the same statement as orderForCheckout, each
 * with the version of the order row that statement's snapshot saw. When that read waited for
 * another transaction's lock on the order, the locked row is the version that transaction left
 * (PostgreSQL rechecks a locked row at its latest version), while these lines are as the
 * snapshot had them: lines that transaction added would be missing. Every write of an order's
 * lines also writes the order row (addOrderItems), so the two versions differ exactly then, and
 * lockedForCheckout reads the lines again.
 */
export function linesForCheckout(orderId: string): Statement {
  return {
    sql: `select ${LINE_SELECT}, o."xmin"::text as "row_version"
     from "orders" o join "order_line" l on l."order_id" = o."id" join "menu_item" m on m."id" = l."menu_item_id"
     where o."id" = ?::uuid order by l."position"`,
    params: [orderId],
  };
}

/**
 * The order as checkout reads it, from the locked row (orderForCheckout) and its lines
 * (linesForCheckout), both as JSON from the claim's statement, as a read-only Order. When the
 * row changed after that statement's snapshot (it waited for the order's lock), the lines are
 * read again in a statement of their own, which sees what the transaction it waited for wrote.
 */
export async function lockedForCheckout(
  em: EntityManager,
  orderId: string,
  rows: readonly Record<string, unknown>[],
  lineRows: readonly Record<string, unknown>[],
  answerEm: EntityManager = em,
): Promise<Order> {
  const o = rows[0] as unknown as (OrderRow & { row_version: string }) | undefined;
  if (!o) throw AppError.notFound('Order', orderId);
  const seen = lineRows as unknown as (LineRow & { row_version: string })[];
  const lines =
    seen.length > 0 && seen[0]!.row_version === o.row_version
      ? seen
      : await executePrepared<LineRow[]>(
          em,
          `select ${LINE_SELECT}
     from "order_line" l join "menu_item" m on m."id" = l."menu_item_id" where l."order_id" = ? order by l."position"`,
          [orderId],
        );
  const fields = {
    id: o.id,
    number: o.number,
    businessDate: o.business_date,
    status: o.status,
    table: o.table_name,
    subtotal: o.subtotal,
    discount: o.discount,
    tax: o.tax,
    tip: o.tip,
    total: o.total,
    changeGiven: o.change_given,
    sentToKitchen: o.sent_to_kitchen,
    createdBy: o.created_by,
    createdAt: new Date(o.created_at),
    paidAt: o.paid_at === null ? null : new Date(o.paid_at),
    voidedAt: o.voided_at === null ? null : new Date(o.voided_at),
    voidReason: o.void_reason,
    voidedBy: o.voided_by,
    updatedAt: new Date(o.updated_at),
  };
  const detached = lines.map((l) =>
    detachedLine(
      { id: l.id, position: l.position, name: l.name, station: l.station, quantity: l.quantity, unitPrice: l.unit_price, modifiers: l.modifiers, notes: l.notes },
      menuItemOf(Object.fromEntries(MENU_COLUMNS.map((c) => [c, l[`m_${c}`]])) as unknown as MenuItemView),
      new Date(l.created_at),
    ),
  );
  return detachedOrder(answerEm, fields, o.customer_id, detached, []);
}

/**
 * checkout's write, one statement and the transaction's last, with its COMMIT (`executeLast`;
 * nothing may be left for the unit of work after it): the payments, the order paid, and the
 * writes given as common table expressions (the points earned, the guest's new profile).
 */
export async function markPaid(em: EntityManager, order: Order, writes: readonly Statement[]): Promise<void> {
  const payments = order.payments.getItems();
  const values = payments.map(() => '(?::uuid, ?::uuid, ?::payment_method, ?::int, ?, ?::timestamptz)').join(', ');
  const ctes = [
    ...(payments.length ? [`"p" as (insert into "payment" ("id", "order_id", "method", "amount", "reference", "created_at") values ${values})`] : []),
    ...writes.map((w) => w.sql),
  ];
  await executeLast(
    em,
    `${ctes.length ? `with ${ctes.join(', ')} ` : ''}update "orders" set "status" = ?::order_status, "subtotal" = ?, "discount" = ?, "tax" = ?, "tip" = ?, "total" = ?, "change_given" = ?,
       "paid_at" = ?::timestamptz, "updated_at" = ?::timestamptz
     where "id" = ?`,
    [
      ...payments.flatMap((p) => [p.id, order.id, p.method, p.amount, p.reference, p.createdAt]),
      ...writes.flatMap((w) => w.params),
      order.status,
      order.subtotal,
      order.discount,
      order.tax,
      order.tip,
      order.total,
      order.changeGiven,
      order.paidAt,
      order.updatedAt,
      order.id,
    ],
  );
}
