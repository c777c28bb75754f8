import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { IsInt, IsOptional, Matches, Max, MaxLength, Min } from 'class-validator';
import { MenuItem } from '../menu/menu-item.entity.js';
import { LifecycleStage } from '../customers/lifecycle.js';
import { Promotion, Reward } from './loyalty.entities.js';

@ObjectType('LoyaltyAccount')
export class LoyaltyAccountView {
  @Field(() => Int)
  points: number;

  @Field(() => Int)
  lifetimePoints: number;

  @Field()
  tier: string;

  @Field(() => [Reward], { description: 'Rewards the customer has enough points for now.' })
  availableRewards: Reward[];
}

@ObjectType()
export class Offer {
  @Field(() => ID)
  id: string;

  @Field()
  title: string;

  @Field()
  description: string;

  @Field(() => Promotion, { nullable: true })
  promotion: Promotion | null;

  @Field(() => MenuItem, { nullable: true })
  menuItem: MenuItem | null;

  @Field({ description: 'May be sent to the guest (email, SMS): only with their marketing opt-in. Offers in the restaurant are always allowed.' })
  sendable: boolean;
}

@InputType()
export class RewardInput {
  @Field()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(120)
  name: string;

  @Field(() => Int)
  @IsInt()
  @Min(1, { message: 'must be at least 1' })
  pointsCost: number;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1, { message: 'must be more than 0' })
  discountAmount?: number | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  freeMenuItemId?: string | null;
}

@InputType()
export class PromotionInput {
  @Field()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(120)
  name: string;

  @Field()
  @Matches(/^[A-Za-z0-9_-]{3,40}$/, { message: 'must be 3 to 40 letters, digits, - or _' })
  code: string;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1, { message: 'must be 1 to 100' })
  @Max(100, { message: 'must be 1 to 100' })
  discountPercent?: number | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1, { message: 'must be more than 0' })
  discountAmount?: number | null;

  @Field(() => LifecycleStage, { nullable: true })
  @IsOptional()
  lifecycleStage?: LifecycleStage | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(40)
  segment?: string | null;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  startsAt?: Date | null;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  endsAt?: Date | null;
}
