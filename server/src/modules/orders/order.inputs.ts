import { ArrayMaxSize, ArrayMinSize, IsInt, IsOptional, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../../common/pagination.js';
import { Order, PaymentMethod } from './order.entity.js';

@InputType()
export class OrderItemInput {
  @Field(() => ID)
  menuItemId: string;

  @Field(() => Int)
  @IsInt()
  @Min(1, { message: 'must be at least 1' })
  @Max(99, { message: 'must be at most 99' })
  quantity: number;

  @Field(() => [String], { nullable: true, description: 'e.g. "medium rare", "no onions".' })
  @IsOptional()
  @ArrayMaxSize(20)
  @MaxLength(80, { each: true })
  @Matches(/\S/, { each: true, message: 'must not contain empty modifiers' })
  modifiers?: string[] | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(300)
  notes?: string | null;
}

@InputType()
export class PlaceOrderInput {
  @Field({ description: 'Same key and same payload returns the first result; same key with another payload is CONFLICT.' })
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  idempotencyKey: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(20)
  table?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  customerId?: string | null;

  @Field(() => [OrderItemInput])
  @ArrayMinSize(1, { message: 'must have at least one item' })
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  items: OrderItemInput[];

  @Field(() => Boolean, { nullable: true, defaultValue: true })
  @IsOptional()
  sendToKitchen?: boolean | null;
}

@InputType()
export class PaymentInput {
  @Field(() => PaymentMethod)
  method: PaymentMethod;

  @Field(() => Int, { description: 'Minor units, more than 0.' })
  @IsInt()
  @Min(1, { message: 'must be more than 0' })
  amount: number;

  @Field(() => String, { nullable: true, description: "The processor's reference. Never a card number." })
  @IsOptional()
  @MaxLength(120)
  reference?: string | null;
}

@InputType()
export class CheckoutInput {
  @Field()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  idempotencyKey: string;

  @Field(() => [PaymentInput])
  @ArrayMinSize(1, { message: 'must have at least one payment' })
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  payments: PaymentInput[];

  @Field(() => Int, { nullable: true, defaultValue: 0 })
  @IsOptional()
  @IsInt()
  @Min(0, { message: 'must not be negative' })
  tip?: number | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(60)
  promotionCode?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  rewardId?: string | null;
}

@ObjectType()
export class OrderConnection {
  @Field(() => [Order])
  nodes: Order[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}
