/**
 * Reading orders: one order, the orders list, a guest's service history, an order for the
 * orderUpdates subscription, and the guest behind an order. The writes are in orders.service.ts.
 */
import { wrap, type FilterQuery } from '@mikro-orm/core';
import type { RequestContext } from '../../common/context.js';
import { AppError } from '../../common/errors.js';
import { decodeCursor, encodeCursor, pageSize } from '../../common/pagination.js';
import { Customer } from '../customers/customer.entity.js';
import { Order, type OrderStatus } from './order.entity.js';
import { OrderConnection } from './order.inputs.js';

const POPULATE = ['lines', 'lines.menuItem', 'payments', 'customer'] as const;

/** The committed order with its lines, payments and guest, read in a fork of its own (fresh, not the caller's identity map). */
export async function loadOrder(ctx: RequestContext, id: string): Promise<Order> {
  const order = await ctx.em.fork().findOne(Order, { id }, { populate: POPULATE });
  if (!order) throw AppError.notFound('Order', id);
  return order;
}

export class OrderHistory {
  getOrder(ctx: RequestContext, id: string): Promise<Order | null> {
    return ctx.em.findOne(Order, { id }, { populate: POPULATE });
  }

  /** For orderUpdates: the committed order, read afresh for every event. */
  orderForEvent(ctx: RequestContext, id: string): Promise<Order> {
    return loadOrder(ctx, id);
  }

  orders(ctx: RequestContext, args: { status?: OrderStatus | null; first?: number | null; after?: string | null }): Promise<OrderConnection> {
    return this.page(ctx, args.status ? { status: args.status } : {}, args.first, args.after, 50);
  }

  /** A guest's service history, newest first. */
  customerOrders(ctx: RequestContext, customerId: string, first?: number | null, after?: string | null): Promise<OrderConnection> {
    return this.page(ctx, { customer: customerId }, first, after, 20);
  }

  /** The order's guest; a mutation's answer carries only a reference, loaded here when asked for. */
  async customerOf(ctx: RequestContext, order: Order): Promise<Customer | null> {
    const c = order.customer;
    if (!c || wrap(c, true).isInitialized()) return c;
    return ctx.em.findOne(Customer, { id: c.id });
  }

  private async page(
    ctx: RequestContext,
    where: FilterQuery<Order>,
    first: number | null | undefined,
    after: string | null | undefined,
    fallback: number,
  ): Promise<OrderConnection> {
    const size = pageSize(first, fallback);
    const cursor = decodeCursor(after);
    const filter: FilterQuery<Order> = cursor
      ? { $and: [where, { $or: [{ createdAt: { $lt: cursor.at } }, { createdAt: cursor.at, id: { $lt: cursor.id } }] }] }
      : where;
    const rows = await ctx.em.find(Order, filter, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: size + 1, populate: POPULATE });
    const nodes = rows.slice(0, size);
    const last = nodes.at(-1);
    return Object.assign(new OrderConnection(), {
      nodes,
      pageInfo: { hasNextPage: rows.length > size, endCursor: last ? encodeCursor({ at: last.createdAt, id: last.id }) : null },
    });
  }
}
