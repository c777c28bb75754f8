import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../../common/context.js';
import { Customer } from '../customers/customer.entity.js';
import { Order, OrderLine, OrderStatus, Payment } from './order.entity.js';
import { CheckoutInput, OrderConnection, OrderItemInput, PlaceOrderInput } from './order.inputs.js';
import type { OrderHistory } from './order-history.js';
import { ORDER_UPDATED, type OrderEvent, type OrdersService } from './orders.service.js';


@Resolver(() => Order)
export class OrdersResolver {
  constructor(
    private readonly service: OrdersService,
    private readonly history: OrderHistory,
  ) {}

  @Query(() => Order, { nullable: true })
  order(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Order | null> {
    return this.history.getOrder(ctx, id);
  }

  @Query(() => OrderConnection, { description: 'Orders, newest first.' })
  orders(
    @Ctx() ctx: RequestContext,
    @Arg('status', () => OrderStatus, { nullable: true }) status?: OrderStatus,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<OrderConnection> {
    return this.history.orders(ctx, { status, first, after });
  }

  @Mutation(() => Order)
  placeOrder(@Arg('input', () => PlaceOrderInput) input: PlaceOrderInput, @Ctx() ctx: RequestContext): Promise<Order> {
    return this.service.placeOrder(ctx, input);
  }

  @Mutation(() => Order)
  addOrderItems(
    @Arg('orderId', () => ID) orderId: string,
    @Arg('items', () => [OrderItemInput]) items: OrderItemInput[],
    @Ctx() ctx: RequestContext,
  ): Promise<Order> {
    return this.service.addOrderItems(ctx, orderId, items);
  }

  @Mutation(() => Order)
  attachCustomer(@Arg('orderId', () => ID) orderId: string, @Arg('customerId', () => ID) customerId: string, @Ctx() ctx: RequestContext): Promise<Order> {
    return this.service.attachCustomer(ctx, orderId, customerId);
  }

  @Mutation(() => Order)
  checkout(@Arg('orderId', () => ID) orderId: string, @Arg('input', () => CheckoutInput) input: CheckoutInput, @Ctx() ctx: RequestContext): Promise<Order> {
    return this.service.checkout(ctx, orderId, input);
  }

  @Mutation(() => Order, { description: 'Void an open order (MANAGER or ADMIN): its stock goes back; it never counts toward a profile.' })
  voidOrder(@Arg('orderId', () => ID) orderId: string, @Arg('reason', () => String) reason: string, @Ctx() ctx: RequestContext): Promise<Order> {
    return this.service.voidOrder(ctx, orderId, reason);
  }

  @Subscription(() => Order, {
    topics: ORDER_UPDATED,
    filter: ({ payload, args }: { payload: OrderEvent; args: { orderId?: string | null } }) => !args.orderId || payload.orderId === args.orderId,
    description: 'Orders as they change (placed, items added, paid, voided), after each change commits.',
  })
  orderUpdates(@Root() event: OrderEvent, @Ctx() ctx: RequestContext, @Arg('orderId', () => ID, { nullable: true }) _orderId?: string): Promise<Order> {
    return this.history.orderForEvent(ctx, event.orderId);
  }

  @FieldResolver(() => [OrderLine])
  lines(@Root() order: Order): OrderLine[] {
    return order.lines.getItems();
  }

  @FieldResolver(() => [Payment])
  payments(@Root() order: Order): Payment[] {
    return order.payments.getItems();
  }

  @FieldResolver(() => Customer, { nullable: true })
  customer(@Root() order: Order, @Ctx() ctx: RequestContext): Promise<Customer | null> {
    return this.history.customerOf(ctx, order);
  }
}
