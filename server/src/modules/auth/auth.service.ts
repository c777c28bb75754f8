import { hash, verify } from '@node-rs/argon2';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, ErrorCode } from '../../common/errors.js';
import type { Actor, RequestContext } from '../../common/context.js';
import { DEVICE_ROLES, Role } from '../../common/roles.js';
import type { Logger } from '../../infra/logger.js';
import type { EventBus } from '../../infra/pubsub.js';
import { Device } from './device.entity.js';
import { Staff } from './staff.entity.js';
import type { AuthPayload, StaffInput } from './auth.inputs.js';
import { recordAudit, writeAudit } from '../audit/audit.js';
import { DEVICE_TOKEN_PREFIX, hashDeviceToken, newDeviceToken, StaffTokens } from './tokens.js';

/**
 * How long a device token's lookup is trusted in memory before asking the database again.
 * A revocation clears it at once on every instance (DEVICE_REVOKED on the bus); the TTL only
 * bounds how long a missed bus message could leave a revoked token working.
 */
const DEVICE_CACHE_MS = 15_000;

/** Published after a device token's revocation commits: { deviceId }. */
export const DEVICE_REVOKED = 'DEVICE_REVOKED';

export class AuthService {
  private readonly tokens: StaffTokens;
  private readonly deviceCache = new Map<string, { actor: Actor | null; until: number }>();
  /** Verified against when the email is unknown, so both paths cost the same. */
  private dummyHash: Promise<string> | undefined;

  constructor(
    opts: { tokenSecret: string; tokenTtlHours: number },
    private readonly bus: EventBus,
  ) {
    this.tokens = new StaffTokens(opts.tokenSecret, opts.tokenTtlHours);
  }

  /**
   * Calls `onRevoked` for every device revoked on any instance, after forgetting the cached
   * lookups here, so the caller can close that device's open websockets. Returns a stop function.
   */
  watchRevocations(onRevoked: (deviceId: string) => void): () => void {
    const events = this.bus.subscribe(DEVICE_REVOKED)[Symbol.asyncIterator]();
    void (async () => {
      for (;;) {
        const next = await events.next();
        if (next.done) return;
        this.deviceCache.clear();
        const deviceId = (next.value as { deviceId?: unknown } | null)?.deviceId;
        if (typeof deviceId === 'string') onRevoked(deviceId);
      }
    })();
    return () => void events.return?.();
  }

  async login(ctx: RequestContext, email: string, password: string): Promise<AuthPayload> {
    const staff = await ctx.em.findOne(
      Staff,
      { email: email.trim().toLowerCase(), active: true },
      { populate: ['passwordHash'] },
    );
    this.dummyHash ??= hash('not-a-real-password');
    const ok = staff ? await verify(staff.passwordHash, password) : await verify(await this.dummyHash, password).then(() => false);
    if (!staff || !ok) {
      ctx.log.warn({ event: 'login_failed' }, 'login failed');
      // The account tried, when the email is one; never the email or password typed.
      await writeAudit(ctx, { action: 'login_failed', subjectId: staff?.id ?? null, result: 'DENIED', details: { knownAccount: !!staff } });
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid email or password');
    }
    const token = await this.tokens.sign({ sub: staff.id, role: staff.role, name: staff.name });
    return { token, staff };
  }

  async me(ctx: RequestContext): Promise<Staff | null> {
    if (ctx.actor?.kind !== 'staff') return null;
    return ctx.em.findOne(Staff, { id: ctx.actor.id, active: true });
  }

  async createStaff(ctx: RequestContext, input: StaffInput): Promise<Staff> {
    const staff = ctx.em.create(Staff, {
      name: input.name.trim(),
      email: input.email.trim().toLowerCase(),
      passwordHash: await hash(input.password),
      role: input.role,
    });
    recordAudit(ctx.em, ctx, { action: 'staff_created', subjectId: staff.id, details: { role: input.role } });
    try {
      await ctx.em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) {
        throw AppError.badInput('email', 'a staff member with this email already exists');
      }
      throw err;
    }
    ctx.log.info({ event: 'staff_created', staffId: staff.id, role: staff.role }, 'staff created');
    return staff;
  }

  async issueDeviceToken(ctx: RequestContext, role: Role, name: string): Promise<string> {
    if (!DEVICE_ROLES.includes(role)) throw AppError.badInput('role', 'a device token is for KITCHEN or HOST');
    if (!name.trim()) throw AppError.badInput('name', 'must not be empty');
    if (ctx.actor?.kind !== 'staff') throw new AppError(ErrorCode.FORBIDDEN, 'Only staff may issue device tokens');
    const token = newDeviceToken();
    const device = ctx.em.create(Device, {
      name: name.trim().slice(0, 120),
      role,
      tokenHash: hashDeviceToken(token),
      issuedBy: ctx.em.getReference(Staff, ctx.actor.id),
    });
    recordAudit(ctx.em, ctx, { action: 'device_token_issued', subjectId: device.id, details: { role } });
    await ctx.em.flush();
    ctx.log.info({ event: 'device_token_issued', deviceId: device.id, role }, 'device token issued');
    return token;
  }

  async devices(ctx: RequestContext): Promise<Device[]> {
    return ctx.em.find(Device, { revokedAt: null }, { orderBy: { createdAt: 'desc' } });
  }

  async revokeDevice(ctx: RequestContext, id: string): Promise<boolean> {
    const device = await ctx.em.findOne(Device, { id });
    if (!device) throw AppError.notFound('Device', id);
    const already = !!device.revokedAt;
    device.revokedAt ??= new Date();
    recordAudit(ctx.em, ctx, { action: 'device_token_revoked', subjectId: id, details: { role: device.role, alreadyRevoked: already } });
    await ctx.em.flush();
    this.deviceCache.clear();
    void this.bus.publish(DEVICE_REVOKED, { deviceId: id });
    ctx.log.info({ event: 'device_token_revoked', deviceId: id }, 'device token revoked');
    return true;
  }

  /**
   * Who a bearer token belongs to. Staff tokens are verified by signature alone (no SQL on
   * the hot path); device tokens are looked up by hash and cached briefly.
   * Returns null without a token; throws UNAUTHENTICATED for a bad one.
   */
  async authenticate(em: EntityManager | (() => EntityManager), authorization: unknown): Promise<Actor | null> {
    if (authorization === undefined || authorization === null || authorization === '') return null;
    const match = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization.trim()) : null;
    if (!match) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Malformed Authorization: expected "Bearer <token>"');
    const token = match[1]!;
    const actor = token.startsWith(DEVICE_TOKEN_PREFIX) ? await this.deviceActor(typeof em === 'function' ? em() : em, token) : await this.staffActor(token);
    if (!actor) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid or expired token');
    return actor;
  }

  private async staffActor(token: string): Promise<Actor | null> {
    const claims = await this.tokens.verify(token);
    return claims ? { kind: 'staff', id: claims.sub, role: claims.role, name: claims.name } : null;
  }

  private async deviceActor(em: EntityManager, token: string): Promise<Actor | null> {
    const tokenHash = hashDeviceToken(token);
    const cached = this.deviceCache.get(tokenHash);
    if (cached && cached.until > Date.now()) return cached.actor;
    const device = await em.findOne(Device, { tokenHash, revokedAt: null });
    const actor: Actor | null = device ? { kind: 'device', id: device.id, role: device.role, name: device.name } : null;
    if (this.deviceCache.size > 1000) this.deviceCache.clear();
    this.deviceCache.set(tokenHash, { actor, until: Date.now() + DEVICE_CACHE_MS });
    return actor;
  }

  /** Creates the configured ADMIN at start when no staff member has that email yet. */
  async ensureAdmin(em: EntityManager, email: string, password: string, log: Logger): Promise<void> {
    const normalized = email.trim().toLowerCase();
    if (await em.count(Staff, { email: normalized })) return;
    em.create(Staff, { name: 'Administrator', email: normalized, passwordHash: await hash(password), role: Role.ADMIN });
    try {
      await em.flush();
    } catch (err) {
      // Replicas starting together race to create it: whoever lost finds it made.
      if (err instanceof UniqueConstraintViolationException) return;
      throw err;
    }
    log.info({ event: 'admin_created' }, 'admin account created from ADMIN_EMAIL');
  }
}
