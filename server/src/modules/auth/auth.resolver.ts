import { Arg, Ctx, ID, Mutation, Query, Resolver, UseMiddleware } from 'type-graphql';
import { LoginThrottle } from '../../common/rate-limits.js';
import type { RequestContext } from '../../common/context.js';
import { Role } from '../../common/roles.js';
import { AuthPayload, StaffInput } from './auth.inputs.js';
import type { AuthService } from './auth.service.js';
import { Device } from './device.entity.js';
import { Staff } from './staff.entity.js';

@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @UseMiddleware(LoginThrottle)
  @Mutation(() => AuthPayload, { description: 'Sign in with email and password; returns a bearer token.' })
  login(@Arg('email') email: string, @Arg('password') password: string, @Ctx() ctx: RequestContext): Promise<AuthPayload> {
    return this.auth.login(ctx, email, password);
  }

  @Query(() => Staff, { nullable: true, description: 'The signed-in staff member; null for a display device.' })
  me(@Ctx() ctx: RequestContext): Promise<Staff | null> {
    return this.auth.me(ctx);
  }

  @Mutation(() => Staff)
  createStaff(@Arg('input', () => StaffInput) input: StaffInput, @Ctx() ctx: RequestContext): Promise<Staff> {
    return this.auth.createStaff(ctx, input);
  }

  @Mutation(() => String, { description: 'A long-lived token for a display device; role is KITCHEN or HOST.' })
  issueDeviceToken(
    @Arg('role', () => Role) role: Role,
    @Arg('name') name: string,
    @Ctx() ctx: RequestContext,
  ): Promise<string> {
    return this.auth.issueDeviceToken(ctx, role, name);
  }

  @Query(() => [Device], { description: 'Display devices with a live token.' })
  devices(@Ctx() ctx: RequestContext): Promise<Device[]> {
    return this.auth.devices(ctx);
  }

  @Mutation(() => Boolean, { description: "Revoke a display device's token; the device is signed out at once." })
  revokeDeviceToken(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return this.auth.revokeDevice(ctx, id);
  }
}
