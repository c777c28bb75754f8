import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription, UseMiddleware } from 'type-graphql';
import { LookupThrottle } from '../../common/rate-limits.js';
import type { RequestContext } from '../../common/context.js';
import { OrderConnection } from '../orders/order.inputs.js';
import type { OrderHistory } from '../orders/order-history.js';
import { Customer } from './customer.entity.js';
import { CustomerInput, CustomerLookupInput, CustomerPatch, InteractionInput } from './customer.inputs.js';
import { CustomerConnection, CustomerStats, DishCount, SegmentSummary } from './customer.types.js';
import { GUEST_ARRIVED, type CustomersService } from './customers.service.js';
import { GuestGreeting } from './greeting.js';
import { Interaction } from './interaction.entity.js';
import { LifecycleStage } from './lifecycle.js';
import type { PrivacyService } from './privacy.service.js';


@Resolver(() => Customer)
export class CustomersResolver {
  constructor(
    private readonly service: CustomersService,
    private readonly orderHistory: OrderHistory,
    private readonly privacy: PrivacyService,
  ) {}

  @Query(() => Customer, { nullable: true })
  customer(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Customer | null> {
    return this.service.getCustomer(ctx, id);
  }

  @UseMiddleware(LookupThrottle)
  @Query(() => Customer, { nullable: true, description: 'The checkout hot path: served from the profile cache when warm.' })
  customerLookup(@Arg('by', () => CustomerLookupInput) by: CustomerLookupInput, @Ctx() ctx: RequestContext): Promise<Customer | null> {
    return this.service.lookup(ctx, by);
  }

  @Query(() => CustomerConnection, { description: 'Search by name, phone or email fragment; filter by stage or segment; newest first.' })
  customers(
    @Ctx() ctx: RequestContext,
    @Arg('search', () => String, { nullable: true }) search?: string,
    @Arg('lifecycleStage', () => LifecycleStage, { nullable: true }) lifecycleStage?: LifecycleStage,
    @Arg('segment', () => String, { nullable: true }) segment?: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<CustomerConnection> {
    return this.service.customers(ctx, { search, lifecycleStage, segment, first, after });
  }

  @Query(() => [SegmentSummary], { description: 'How many guests are in each RFM segment.' })
  segments(@Ctx() ctx: RequestContext): Promise<SegmentSummary[]> {
    return this.service.segments(ctx);
  }

  @Query(() => GraphQLJSONObject, { description: 'Everything held about a guest, as JSON (subject access request).' })
  customerExport(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Record<string, unknown>> {
    return this.privacy.export(ctx, id);
  }

  @Mutation(() => Customer)
  createCustomer(@Arg('input', () => CustomerInput) input: CustomerInput, @Ctx() ctx: RequestContext): Promise<Customer> {
    return this.service.createCustomer(ctx, input);
  }

  @Mutation(() => Customer)
  updateCustomer(@Arg('id', () => ID) id: string, @Arg('input', () => CustomerPatch) input: CustomerPatch, @Ctx() ctx: RequestContext): Promise<Customer> {
    return this.service.updateCustomer(ctx, id, input);
  }

  @Mutation(() => Boolean, { description: 'Erase personal data; order totals stay for the books.' })
  eraseCustomer(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return this.privacy.erase(ctx, id);
  }

  @Mutation(() => Interaction)
  addInteraction(@Arg('customerId', () => ID) customerId: string, @Arg('input', () => InteractionInput) input: InteractionInput, @Ctx() ctx: RequestContext): Promise<Interaction> {
    return this.service.addInteraction(ctx, customerId, input);
  }

  @Mutation(() => GuestGreeting, { description: 'Host stand: recognise an arriving guest and greet them on front-of-house displays.' })
  checkInGuest(
    @Arg('by', () => CustomerLookupInput) by: CustomerLookupInput,
    @Ctx() ctx: RequestContext,
    @Arg('partySize', () => Int, { nullable: true }) partySize?: number,
  ): Promise<GuestGreeting> {
    return this.service.checkIn(ctx, by, partySize);
  }

  @Subscription(() => GuestGreeting, { topics: GUEST_ARRIVED, description: 'Recognised guests arriving, for host-stand and front-of-house displays.' })
  guestArrivals(@Root() event: Parameters<CustomersService['greetingFromEvent']>[0]): GuestGreeting {
    return this.service.greetingFromEvent(event);
  }

  @FieldResolver(() => CustomerStats)
  stats(@Root() customer: Customer): CustomerStats {
    return this.service.stats(customer);
  }

  @FieldResolver(() => [DishCount], { description: 'Go-to dishes, most ordered first.' })
  usualDishes(@Root() customer: Customer, @Ctx() ctx: RequestContext, @Arg('limit', () => Int, { nullable: true, defaultValue: 3 }) limit: number): Promise<DishCount[]> {
    return this.service.usualDishes(ctx, customer, limit);
  }

  @FieldResolver(() => OrderConnection, { description: 'Service history, newest first.' })
  orders(
    @Root() customer: Customer,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<OrderConnection> {
    return this.orderHistory.customerOrders(ctx, customer.id, first, after);
  }

  @FieldResolver(() => [Interaction], { description: 'Notes, feedback, calls and visits, newest first.' })
  interactions(@Root() customer: Customer, @Ctx() ctx: RequestContext, @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number): Promise<Interaction[]> {
    return this.service.interactions(ctx, customer.id, first);
  }
}
