import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../common/context.js';
import { Customer } from '../customers/customer.entity.js';
import { Promotion, Reward } from './loyalty.entities.js';
import { LoyaltyAccountView, Offer, PromotionInput, RewardInput } from './loyalty.types.js';
import type { LoyaltyService } from './loyalty.service.js';


@Resolver(() => Customer)
export class LoyaltyResolver {
  constructor(private readonly service: LoyaltyService) {}

  @Query(() => [Reward])
  rewards(@Ctx() ctx: RequestContext): Promise<Reward[]> {
    return this.service.rewards(ctx);
  }

  @Query(() => [Promotion])
  promotions(@Ctx() ctx: RequestContext): Promise<Promotion[]> {
    return this.service.promotions(ctx);
  }

  @Mutation(() => Reward)
  createReward(@Arg('input', () => RewardInput) input: RewardInput, @Ctx() ctx: RequestContext): Promise<Reward> {
    return this.service.createReward(ctx, input);
  }

  @Mutation(() => Promotion)
  createPromotion(@Arg('input', () => PromotionInput) input: PromotionInput, @Ctx() ctx: RequestContext): Promise<Promotion> {
    return this.service.createPromotion(ctx, input);
  }

  @FieldResolver(() => LoyaltyAccountView)
  loyalty(@Root() customer: Customer, @Ctx() ctx: RequestContext): Promise<LoyaltyAccountView> {
    return this.service.account(ctx, customer);
  }

  @FieldResolver(() => [Offer], { description: 'Promotions and personalised offers this customer qualifies for now.' })
  offers(@Root() customer: Customer, @Ctx() ctx: RequestContext): Promise<Offer[]> {
    return this.service.offers(ctx, customer);
  }
}
