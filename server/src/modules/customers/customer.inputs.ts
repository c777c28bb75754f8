import { ArrayMaxSize, IsOptional, Matches, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { InteractionKind } from './interaction.entity.js';

// Formats (phone, email, birthday) are checked and normalised by the service, which knows the region.
@InputType()
export class CustomerInput {
  @Field()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(80)
  firstName: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(80)
  lastName?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(40)
  phone?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(254)
  email?: string | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' })
  @IsOptional()
  birthday?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(30)
  @MaxLength(60, { each: true })
  allergies?: string[] | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(30)
  @MaxLength(60, { each: true })
  tags?: string[] | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  notes?: string | null;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  marketingOptIn?: boolean | null;
}

/** Every field optional: what is given is changed; an empty string clears phone, email, birthday, lastName, notes. */
@InputType()
export class CustomerPatch {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(80)
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(80)
  lastName?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(40)
  phone?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(254)
  email?: string | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' })
  @IsOptional()
  birthday?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(30)
  @MaxLength(60, { each: true })
  allergies?: string[] | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(30)
  @MaxLength(60, { each: true })
  tags?: string[] | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  notes?: string | null;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  marketingOptIn?: boolean | null;
}

@InputType({ description: 'Exactly one of phone (any common format), email (any case) or loyaltyCode.' })
export class CustomerLookupInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(40)
  phone?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(254)
  email?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(20)
  loyaltyCode?: string | null;
}

@InputType()
export class InteractionInput {
  @Field(() => InteractionKind)
  kind: InteractionKind;

  @Field()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(2000)
  note: string;
}
