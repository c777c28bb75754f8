import { ArrayMaxSize, IsInt, IsNotEmpty, IsOptional, Matches, MaxLength, Min } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';

const STATION = /^[a-z][a-z0-9_-]{0,39}$/;
const STATION_MESSAGE = 'must be a lower-case station name like grill, fry, cold or bar';

@InputType()
export class MenuItemInput {
  @Field()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(64)
  sku: string;

  @Field()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(120)
  name: string;

  @Field()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(60)
  category: string;

  @Field(() => Int, { description: 'Minor units; 0 or more.' })
  @IsInt()
  @Min(0, { message: 'must not be negative' })
  price: number;

  @Field()
  @Matches(STATION, { message: STATION_MESSAGE })
  station: string;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(20)
  @IsNotEmpty({ each: true, message: 'must not contain empty allergens' })
  allergens?: string[];

  @Field(() => Int, { nullable: true, description: 'Units on hand; omit to leave stock untracked.' })
  @IsOptional()
  @IsInt()
  @Min(0, { message: 'must not be negative' })
  stock?: number | null;
}

@InputType()
export class MenuItemPatch {
  @Field({ nullable: true })
  @IsOptional()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(120)
  name?: string;

  @Field({ nullable: true })
  @IsOptional()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(60)
  category?: string;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0, { message: 'must not be negative' })
  price?: number;

  @Field({ nullable: true })
  @IsOptional()
  @Matches(STATION, { message: STATION_MESSAGE })
  station?: string;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(20)
  @IsNotEmpty({ each: true, message: 'must not contain empty allergens' })
  allergens?: string[];

  @Field({ nullable: true, description: 'Switch the item on or off (86 it).' })
  @IsOptional()
  available?: boolean;
}
