import { appendedRowId } from '../../common/ids.js';
import { Collection, LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit } from '../audit/audit.js';
import { AppError, ErrorCode } from '../../common/errors.js';
import type { RequestContext } from '../../common/context.js';
import { containsCardNumber, priceOrder, type OrderTotals } from '../../common/money.js';
import type { Statement } from '../../common/statement.js';
import type { EventBus } from '../../infra/pubsub.js';
import type { MenuItem } from '../menu/menu-item.entity.js';
import { menuItemOf, type MenuItemView, type MenuService } from '../menu/menu.service.js';
import { Customer } from '../customers/customer.entity.js';
import type { CustomersService } from '../customers/customers.service.js';
import type { LockedFacts } from '../customers/projection.js';
import type { KitchenLine, KitchenService } from '../kitchen/kitchen.service.js';
import { businessDate } from './business-day.js';
import { loadOrder } from './order-history.js';
import type { Idempotency } from './idempotency.js';
import { Order, OrderLine, OrderStatus, Payment, PaymentMethod } from './order.entity.js';
import { DAY_NUMBER, detachedLine, detachedOrder, insertOrder, linesForCheckout, lockedForCheckout, markPaid, orderForCheckout } from './order-statements.js';
import { type CheckoutInput, type OrderItemInput, type PlaceOrderInput } from './order.inputs.js';
import { entityView } from '../../common/entity-view.js';

export const ORDER_UPDATED = 'ORDER_UPDATED';

/** What orderUpdates carries through the bus; subscribers load the committed order. */
export interface OrderEvent {
  orderId: string;
  status: OrderStatus;
}

/**
 * The seam where loyalty plugs into checkout, inside the checkout transaction:
 * - discountFor: the discount for this order and guest (a promotion code or a reward),
 *   validated (BAD_USER_INPUT saying why when it does not apply), in minor units; priceOrder
 *   clamps it to the subtotal. A reward's points are taken here.
 * - paidWrites: after pricing, with the final totals: the writes of the payment (points
 *   earned), as named common table expressions that checkout's last statement runs.
 * - onVoid: a paid order is voided (earned points go back, redeemed points are returned).
 */
export interface CheckoutHooks {
  discountFor(em: EntityManager, order: Order, input: Pick<CheckoutInput, 'promotionCode' | 'rewardId'>): Promise<number>;
  paidWrites(order: Order, totals: OrderTotals): Statement[];
  onVoid(em: EntityManager, order: Order): Promise<void>;
}

/** Until a loyalty module is installed no code or reward can apply. */
export const NO_HOOKS: CheckoutHooks = {
  async discountFor(_em, _order, input) {
    if (input.promotionCode) throw AppError.badInput('promotionCode', 'no promotion has this code');
    if (input.rewardId) throw AppError.badInput('rewardId', 'no such reward');
    return 0;
  },
  paidWrites: () => [],
  async onVoid() {},
};

export interface OrdersConfig {
  taxRateBps: number;
  timeZone: string;
  dayStartHour: number;
}

/** For the seed and tests: run an operation as if at another time. Never reachable from the API. */
export interface At {
  at?: Date;
}

function quantitiesOf(items: readonly { menuItemId: string; quantity: number }[]): Map<string, number> {
  const q = new Map<string, number>();
  for (const i of items) q.set(i.menuItemId, (q.get(i.menuItemId) ?? 0) + i.quantity);
  return q;
}

function cleanModifiers(list: readonly string[] | null | undefined): string[] {
  return (list ?? []).map((m) => m.trim()).filter(Boolean);
}

/** What the kitchen gets of order lines: the dish, its station and allergens; never a price. */
function kitchenLines(lines: readonly OrderLine[], menuItems: ReadonlyMap<string, MenuItem>): KitchenLine[] {
  return lines.map((l) => ({
    name: l.name,
    station: l.station,
    quantity: l.quantity,
    modifiers: l.modifiers,
    notes: l.notes,
    allergens: [...(menuItems.get(l.menuItem.id)?.allergens ?? [])],
  }));
}

/** The only guest data a ticket may carry: first name and allergies. */
function guestOf(customer: Customer | null): { firstName: string; allergies: string[] } | null {
  return customer ? { firstName: customer.firstName, allergies: [...customer.allergies] } : null;
}

export class OrdersService {
  private hooks: CheckoutHooks = NO_HOOKS;

  constructor(
    private readonly bus: EventBus,
    private readonly menu: MenuService,
    private readonly customers: CustomersService,
    private readonly idempotency: Idempotency,
    private readonly kitchen: KitchenService,
    private readonly config: OrdersConfig,
  ) {}

  /** The loyalty module installs its hooks here. */
  useCheckoutHooks(hooks: CheckoutHooks): void {
    this.hooks = hooks;
  }

  async placeOrder(ctx: RequestContext, input: PlaceOrderInput, opts: At = {}): Promise<Order> {
    const staffId = this.staffId(ctx);
    const at = opts.at ?? new Date();
    const items = input.items.map((i) => ({ ...i, modifiers: cleanModifiers(i.modifiers), notes: i.notes?.trim() || null }));
    const quantities = quantitiesOf(items);
    const payload = { table: input.table?.trim() || null, customerId: input.customerId ?? null, items, sendToKitchen: input.sendToKitchen ?? true };
    let changed: MenuItemView[] = [];
    let placed: Order | null = null;
    let replayed: string | null = null;
    let ticketed = false;
    // Hand-written statements, no unit of work: this is the busiest write (see bench W4/W5).
    await ctx.em.transactional(async (em) => {
      // The key, the menu items and the guest: one statement.
      const orderId = appendedRowId();
      const { claim, rows } = await this.idempotency.claim(em, 'placeOrder', staffId, input.idempotencyKey, payload, orderId, {
        menu: this.menu.viewsForOrderRead(quantities),
        guest: payload.customerId ? this.customers.orderGuestRead(payload.customerId) : undefined,
      });
      if (claim.kind === 'replay') {
        replayed = claim.resultId;
        return;
      }
      const menuItems = this.menu.viewsForOrder(quantities, rows.menu as unknown as MenuItemView[]);
      const guest = payload.customerId ? this.customers.orderGuest(payload.customerId, rows.guest!) : null;
      changed = await this.menu.reserveStock(em, quantities, menuItems);
      const lines = items.map((i, position) => {
        const m = menuItems.get(i.menuItemId)!;
        return { id: appendedRowId(), menuItemId: m.id, position, name: m.name, station: m.station, quantity: i.quantity, unitPrice: m.price, modifiers: i.modifiers, notes: i.notes };
      });
      const fields = {
        id: orderId,
        number: 0,
        businessDate: businessDate(at, this.config.timeZone, this.config.dayStartHour),
        status: OrderStatus.OPEN,
        table: payload.table,
        ...priceOrder(lines, { taxRateBps: this.config.taxRateBps }),
        changeGiven: 0,
        sentToKitchen: payload.sendToKitchen,
        createdBy: staffId,
        createdAt: at,
        paidAt: null,
        voidedAt: null,
        voidReason: null,
        voidedBy: null,
        updatedAt: at,
      };
      const tickets = fields.sentToKitchen
        ? this.kitchen.ticketWrites(
            fields,
            DAY_NUMBER,
            lines.map((l) => ({ ...l, allergens: [...menuItems.get(l.menuItemId)!.allergens] })),
            guest && { firstName: guest.firstName, allergies: [...guest.allergies] },
            at,
          )
        : null;
      fields.number = await insertOrder(em, fields, guest?.id ?? null, lines, tickets ? [tickets] : []);
      ticketed = tickets !== null;
      // The answer, from what was written (no re-read); menu items as the stock now stands.
      const now = new Map([...menuItems.values(), ...changed].map((v) => [v.id, v]));
      placed = detachedOrder(
        ctx.em,
        fields,
        guest?.id ?? null,
        lines.map((l) => detachedLine(l, menuItemOf(now.get(l.menuItemId)!), at)),
        [],
      );
    });
    if (ticketed) this.kitchen.wake();
    this.menu.publishViews(changed);
    if (replayed) return loadOrder(ctx, replayed);
    this.publish(placed!);
    return placed!;
  }

  async addOrderItems(ctx: RequestContext, orderId: string, input: OrderItemInput[]): Promise<Order> {
    this.staffId(ctx);
    if (!input.length) throw AppError.badInput('items', 'must have at least one item');
    const items = input.map((i) => ({ ...i, modifiers: cleanModifiers(i.modifiers), notes: i.notes?.trim() || null }));
    const quantities = quantitiesOf(items);
    let changed: MenuItemView[] = [];
    let ticketed = false;
    await ctx.em.transactional(async (em) => {
      const order = await this.lockOpen(em, orderId, 'add items to');
      const menuItems = await this.menu.itemsForOrder(em, quantities);
      changed = await this.menu.reserveStock(em, quantities, menuItems);
      const at = new Date();
      const added = this.addLines(em, order, items, menuItems, at);
      this.reprice(order);
      // The order row is written whatever the prices (a free item leaves them as they were): a
      // checkout that waited for this transaction tells from the row that its lines changed
      // (linesForCheckout).
      order.updatedAt = at;
      await em.flush();
      if (order.sentToKitchen) {
        const customer = order.customer ? await this.customers.requireCustomer(em, order.customer.id) : null;
        ticketed = await this.kitchen.createTickets(em, order, kitchenLines(added, menuItems), guestOf(customer));
      }
    });
    if (ticketed) this.kitchen.wake();
    this.menu.publishViews(changed);
    const order = await loadOrder(ctx, orderId);
    this.publish(order);
    return order;
  }

  async attachCustomer(ctx: RequestContext, orderId: string, customerId: string): Promise<Order> {
    this.staffId(ctx);
    let ticketed = false;
    await ctx.em.transactional(async (em) => {
      const order = await this.lockOpen(em, orderId, 'attach a guest to');
      const customer = await this.customers.requireCustomer(em, customerId);
      order.customer = customer;
      await em.flush();
      if (order.sentToKitchen) ticketed = await this.kitchen.updateGuest(em, order.id, guestOf(customer)!);
    });
    if (ticketed) this.kitchen.wake();
    const order = await loadOrder(ctx, orderId);
    this.publish(order);
    return order;
  }

  /**
   * Prices and pays an order, and writes the guest's profile, in one transaction. Payments
   * must cover the total (PAYMENT_REQUIRED); only cash may exceed it (the excess is change).
   */
  async checkout(ctx: RequestContext, orderId: string, input: CheckoutInput, opts: At = {}): Promise<Order> {
    const staffId = this.staffId(ctx);
    const at = opts.at ?? new Date();
    const payments = input.payments.map((p, i) => {
      const reference = p.reference?.trim() || null;
      if (reference && containsCardNumber(reference)) {
        throw AppError.badInput(`payments.${i}.reference`, 'looks like a card number; store the processor reference only');
      }
      return { method: p.method, amount: p.amount, reference };
    });
    const tip = input.tip ?? 0;
    const payload = { orderId, payments, tip, promotionCode: input.promotionCode ?? null, rewardId: input.rewardId ?? null };
    let paid: Order | null = null;
    // Hand-written statements, no unit of work (see placeOrder); the hooks' own writes included.
    await ctx.em.transactional(async (em) => {
      // The key, the order locked with its lines, and its guest's profile facts locked: one statement.
      const { claim, rows } = await this.idempotency.claim(em, 'checkout', staffId, input.idempotencyKey, payload, orderId, {
        order: orderForCheckout(orderId),
        lines: linesForCheckout(orderId),
        guest: this.customers.lockedFacts(orderId),
      });
      if (claim.kind === 'replay') return;
      const order = await lockedForCheckout(em, orderId, rows.order, rows.lines, ctx.em);
      if (order.status !== OrderStatus.OPEN) {
        throw new AppError(ErrorCode.CONFLICT, `Order ${order.number} is already ${order.status.toLowerCase()}`);
      }
      const discount = await this.hooks.discountFor(em, order, payload);
      const totals = priceOrder(order.lines.getItems(), { taxRateBps: this.config.taxRateBps, discount, tip });
      const tendered = payments.reduce((s, p) => s + p.amount, 0);
      if (tendered < totals.total) {
        throw new AppError(ErrorCode.PAYMENT_REQUIRED, `Payments of ${tendered} do not cover the total of ${totals.total}`, {
          total: totals.total,
          tendered,
        });
      }
      const over = tendered - totals.total;
      const cash = payments.filter((p) => p.method === PaymentMethod.CASH).reduce((s, p) => s + p.amount, 0);
      if (over > cash) throw AppError.badInput('payments', 'only cash may be more than the total');
      Object.assign(order, totals, { changeGiven: over, status: OrderStatus.PAID, paidAt: at, updatedAt: at });
      if (totals.discount > 0) {
        recordAudit(em, ctx, {
          action: 'discount_applied',
          subjectId: order.id,
          details: { orderNumber: order.number, discount: totals.discount, subtotal: totals.subtotal, promotionCode: payload.promotionCode, rewardId: payload.rewardId },
        });
      }
      const made = payments.map((p) => entityView(Payment, { id: appendedRowId(), ...p, createdAt: at }));
      order.payments = new Collection<Payment>(order, made);
      const writes = this.hooks.paidWrites(order, totals);
      if (order.customer) {
        const visit = { at, spend: totals.total - totals.tip, dishes: order.lines.getItems().map((l) => ({ menuItemId: l.menuItem.id, quantity: l.quantity })) };
        const read = rows.guest[0] as unknown as LockedFacts | undefined;
        // When the guest read and the locked order disagree (a guest attached while the first
        // statement waited for the order's lock), the order's guest is read again.
        const guest = read?.id === order.customer.id ? read : await this.customers.lockFacts(em, order.customer.id);
        if (guest) writes.push(...this.customers.visitWrites(guest, visit));
      }
      // What the unit of work holds first (an audit entry or a redeemed reward's ledger entry, if
      // any): the last statement commits.
      await em.flush();
      await markPaid(em, order, writes);
      paid = order;
    });
    if (!paid) return loadOrder(ctx, orderId);
    const order: Order = paid;
    if (order.customer) await this.customers.invalidate(order.customer.id);
    this.publish(order);
    return order;
  }

  /**
   * Voids an order. An open order's stock goes back. A paid order (a comp or a mistake) leaves
   * the guest's profile as if it never happened, and its points go back; its stock does not
   * (the food was made) and refunding its payments is the payment processor's business.
   * Either way it never counts toward any profile.
   */
  async voidOrder(ctx: RequestContext, orderId: string, reason: string): Promise<Order> {
    const staffId = this.staffId(ctx);
    const why = reason.trim();
    if (!why) throw AppError.badInput('reason', 'must not be empty');
    if (why.length > 500) throw AppError.badInput('reason', 'must be at most 500 characters');
    let restored: MenuItemView[] = [];
    let ticketed = false;
    let reversedFor: string | null = null;
    await ctx.em.transactional(async (em) => {
      const order = await this.lock(em, orderId);
      if (order.status === OrderStatus.VOIDED) throw new AppError(ErrorCode.CONFLICT, `Order ${order.number} is already voided`);
      await em.populate(order, ['lines']);
      const quantities = quantitiesOf(order.lines.getItems().map((l) => ({ menuItemId: l.menuItem.id, quantity: l.quantity })));
      if (order.status === OrderStatus.OPEN) {
        restored = await this.menu.restoreStock(em, quantities);
      } else if (order.customer) {
        const [rest] = await em.execute<{ first: Date | null; last: Date | null }[]>(
          `select min("paid_at") as first, max("paid_at") as last from "orders" where "customer_id" = ? and "status" = 'PAID' and "id" <> ?`,
          [order.customer.id, order.id],
        );
        // When the guest last had each of these dishes on the paid orders that remain (ties in usual dishes go by it).
        const lastHad = await em.execute<{ menu_item_id: string; last: Date }[]>(
          `select l."menu_item_id", max(o."paid_at") as last from "orders" o join "order_line" l on l."order_id" = o."id"
           where o."customer_id" = ? and o."status" = 'PAID' and o."id" <> ? and l."menu_item_id" = any(?::uuid[]) group by l."menu_item_id"`,
          [order.customer.id, order.id, `{${[...quantities.keys()].join(',')}}`],
        );
        const lastAt = new Map(lastHad.map((r) => [r.menu_item_id, new Date(r.last)]));
        await this.customers.reverseVisit(em, order.customer.id, {
          spend: order.total - order.tip,
          dishes: [...quantities].map(([menuItemId, quantity]) => ({ menuItemId, quantity, lastOrderedAt: lastAt.get(menuItemId) ?? null })),
          firstVisitAt: rest?.first ? new Date(rest.first) : null,
          lastVisitAt: rest?.last ? new Date(rest.last) : null,
        });
        await this.hooks.onVoid(em, order);
        reversedFor = order.customer.id;
      }
      // The reason is free text (it may name a guest): the order keeps it, the audit log does not.
      recordAudit(em, ctx, { action: 'order_voided', subjectId: order.id, details: { orderNumber: order.number, was: order.status, total: order.total } });
      Object.assign(order, { status: OrderStatus.VOIDED, voidedAt: new Date(), voidReason: why, voidedBy: staffId });
      await em.flush();
      ticketed = await this.kitchen.voidTicketsFor(em, order.id);
    });
    if (ticketed) this.kitchen.wake();
    if (reversedFor) await this.customers.invalidate(reversedFor);
    this.menu.publishViews(restored);
    const order = await loadOrder(ctx, orderId);
    this.publish(order);
    ctx.log.info({ event: 'order_voided', orderId }, 'order voided');
    return order;
  }

  /** Erasure: the guest's orders stay for the books, without the person. Returns their ids. */
  async forgetCustomer(em: EntityManager, customerId: string): Promise<string[]> {
    const rows = await em.execute<{ id: string }[]>(`update "orders" set "customer_id" = null, "updated_at" = now() where "customer_id" = ? returning "id"`, [customerId]);
    return rows.map((r) => r.id);
  }

  /** Export: the guest's orders as plain data. */
  async ordersForExport(em: EntityManager, customerId: string): Promise<Record<string, unknown>[]> {
    const orders = await em.find(Order, { customer: customerId }, { orderBy: { createdAt: 'asc' }, populate: ['lines', 'payments'] });
    return orders.map((o) => ({
      number: o.number,
      status: o.status,
      table: o.table,
      createdAt: o.createdAt,
      paidAt: o.paidAt,
      subtotal: o.subtotal,
      discount: o.discount,
      tax: o.tax,
      tip: o.tip,
      total: o.total,
      lines: o.lines.getItems().map((l) => ({ name: l.name, quantity: l.quantity, unitPrice: l.unitPrice, modifiers: l.modifiers, notes: l.notes })),
      payments: o.payments.getItems().map((p) => ({ method: p.method, amount: p.amount })),
    }));
  }

  private addLines(
    em: EntityManager,
    order: Order,
    items: { menuItemId: string; quantity: number; modifiers: string[]; notes: string | null }[],
    menuItems: ReadonlyMap<string, MenuItem>,
    at: Date,
  ): OrderLine[] {
    let position = order.lines.isInitialized() ? order.lines.length : 0;
    const added: OrderLine[] = [];
    for (const i of items) {
      const m = menuItems.get(i.menuItemId)!;
      const line = em.create(OrderLine, {
          order,
          menuItem: m,
          position: position++,
          name: m.name,
          station: m.station,
          quantity: i.quantity,
          unitPrice: m.price,
          modifiers: i.modifiers,
          notes: i.notes,
          createdAt: at,
      });
      order.lines.add(line);
      added.push(line);
    }
    return added;
  }

  /** An open order shows its running subtotal and tax (no tip yet). */
  private reprice(order: Order): void {
    Object.assign(order, priceOrder(order.lines.getItems(), { taxRateBps: this.config.taxRateBps, discount: order.discount }));
  }

  private async lock(em: EntityManager, orderId: string): Promise<Order> {
    const order = await em.findOne(Order, { id: orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!order) throw AppError.notFound('Order', orderId);
    return order;
  }

  private async lockOpen(em: EntityManager, orderId: string, action: string): Promise<Order> {
    const order = await this.lock(em, orderId);
    if (order.status !== OrderStatus.OPEN) {
      throw new AppError(ErrorCode.CONFLICT, `Cannot ${action} order ${order.number}: it is ${order.status.toLowerCase()}`);
    }
    await em.populate(order, ['lines']);
    return order;
  }

  private publish(order: Order): void {
    const event: OrderEvent = { orderId: order.id, status: order.status };
    void this.bus.publish(ORDER_UPDATED, event);
  }

  private staffId(ctx: RequestContext): string {
    if (ctx.actor?.kind !== 'staff') throw new AppError(ErrorCode.FORBIDDEN, 'Only signed-in staff may take orders');
    return ctx.actor.id;
  }
}
