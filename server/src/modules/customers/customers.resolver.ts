import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../common/context.js';
import { Role } from '../../common/roles.js';
import { OrderConnection } from '../orders/order.inputs.js';
import type { OrdersService } from '../orders/orders.service.js';
import { Customer } from './customer.entity.js';
import { CustomerInput, CustomerPatch } from './customer.inputs.js';
import { CustomerStats, DishCount } from './customer.types.js';
import type { CustomersService } from './customers.service.js';

/** Front of house: may look guests up, enrol them and keep their details current. */
export const FRONT_OF_HOUSE = [Role.ADMIN, Role.MANAGER, Role.SERVER, Role.HOST] as const;
/** Who may see spend and service history. */
export const SPEND_READERS = [Role.ADMIN, Role.MANAGER, Role.SERVER] as const;

@Resolver(() => Customer)
export class CustomersResolver {
  constructor(
    private readonly customers: CustomersService,
    private readonly orderService: OrdersService,
  ) {}

  @Authorized(...FRONT_OF_HOUSE)
  @Query(() => Customer, { nullable: true })
  customer(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Customer | null> {
    return this.customers.getCustomer(ctx, id);
  }

  @Authorized(...FRONT_OF_HOUSE)
  @Mutation(() => Customer)
  createCustomer(@Arg('input', () => CustomerInput) input: CustomerInput, @Ctx() ctx: RequestContext): Promise<Customer> {
    return this.customers.createCustomer(ctx, input);
  }

  @Authorized(...FRONT_OF_HOUSE)
  @Mutation(() => Customer)
  updateCustomer(@Arg('id', () => ID) id: string, @Arg('input', () => CustomerPatch) input: CustomerPatch, @Ctx() ctx: RequestContext): Promise<Customer> {
    return this.customers.updateCustomer(ctx, id, input);
  }

  @Authorized(...SPEND_READERS)
  @FieldResolver(() => CustomerStats)
  stats(@Root() customer: Customer): CustomerStats {
    return this.customers.stats(customer);
  }

  @FieldResolver(() => [DishCount], { description: 'Go-to dishes, most ordered first.' })
  usualDishes(@Root() customer: Customer, @Ctx() ctx: RequestContext, @Arg('limit', () => Int, { nullable: true, defaultValue: 3 }) limit: number): Promise<DishCount[]> {
    return this.customers.usualDishes(ctx, customer.id, limit);
  }

  @Authorized(...SPEND_READERS)
  @FieldResolver(() => OrderConnection, { description: 'Service history, newest first.' })
  orders(
    @Root() customer: Customer,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<OrderConnection> {
    return this.orderService.customerOrders(ctx, customer.id, first, after);
  }
}
