import { IsEmail, Length, Matches, MaxLength } from 'class-validator';
import { Field, InputType, ObjectType } from 'type-graphql';
import { Role } from '../../common/roles.js';
import { Staff } from './staff.entity.js';

@InputType()
export class StaffInput {
  @Field()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(120)
  name: string;

  @Field()
  @IsEmail({}, { message: 'must be a valid email address' })
  @MaxLength(254)
  email: string;

  @Field()
  @Length(8, 200, { message: 'must be 8 to 200 characters' })
  password: string;

  @Field(() => Role)
  role: Role;
}

@ObjectType()
export class AuthPayload {
  @Field({ description: 'Bearer token for the Authorization header (or connection_init over websockets).' })
  token: string;

  @Field(() => Staff)
  staff: Staff;
}
