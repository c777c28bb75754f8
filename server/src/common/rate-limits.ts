import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { MiddlewareInterface, NextFn, ResolverData } from 'type-graphql';
import type { Logger } from '../infra/logger.js';
import type { RequestContext } from './context.js';
import { AppError, ErrorCode } from './errors.js';

export interface RateLimitOptions {
  redisUrl?: string;
  prefix: string;
  login: { points: number; windowSeconds: number };
  lookup: { points: number; windowSeconds: number };
  log: Logger;
}

/**
 * Per-caller budgets for the two operations worth guessing at: `login` (per email and client
 * address: password guessing) and `customerLookup` (per staff member or device: walking the
 * guest list by phone number). Counted in Redis when there is one, so every instance shares the
 * budget. When Redis is down, lookups count in memory instead (a register keeps working), while
 * login refuses: a sign-in budget that cannot be counted is not granted (fails closed).
 * Over the budget is FORBIDDEN (the contract has no rate-limit code) with reason RATE_LIMITED
 * and retryAfterSeconds.
 */
export class RateLimits {
  private readonly redis?: Redis;
  readonly login: RateLimiterAbstract;
  readonly lookup: RateLimiterAbstract;

  constructor(opts: RateLimitOptions) {
    const memory = (name: string, o: { points: number; windowSeconds: number }) =>
      new RateLimiterMemory({ keyPrefix: `${opts.prefix}rl:${name}`, points: o.points, duration: o.windowSeconds });
    if (!opts.redisUrl) {
      this.login = memory('login', opts.login);
      this.lookup = memory('lookup', opts.lookup);
      return;
    }
    this.redis = new Redis(opts.redisUrl, {
      enableOfflineQueue: false,
      commandTimeout: 250,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    this.redis.on('error', (err) => opts.log.debug({ err: err.message }, 'rate limit store unavailable'));
    const redis = (name: string, o: { points: number; windowSeconds: number }, insurance?: RateLimiterAbstract) =>
      new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${opts.prefix}rl:${name}`,
        points: o.points,
        duration: o.windowSeconds,
        rejectIfRedisNotReady: true,
        insuranceLimiter: insurance,
      });
    this.login = redis('login', opts.login);
    this.lookup = redis('lookup', opts.lookup, memory('lookup', opts.lookup));
  }

  /** Takes one attempt from the key's budget, or throws FORBIDDEN (over budget, or the store is down). */
  async consume(limiter: RateLimiterAbstract, key: string, log: Logger): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        const retryAfterSeconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        log.warn({ event: 'rate_limited', limiter: limiter.keyPrefix, retryAfterSeconds }, 'rate limit reached');
        throw new AppError(ErrorCode.FORBIDDEN, `Too many attempts; try again in ${retryAfterSeconds} s`, { reason: 'RATE_LIMITED', retryAfterSeconds });
      }
      log.error({ event: 'rate_limit_store_down', limiter: limiter.keyPrefix, err: (err as Error).message }, 'rate limit store unavailable; refusing');
      throw new AppError(ErrorCode.FORBIDDEN, 'Temporarily unavailable; try again shortly', { reason: 'RATE_LIMIT_UNAVAILABLE' });
    }
  }

  /** Gives a key its whole budget back (a successful sign-in). Best effort. */
  async reset(limiter: RateLimiterAbstract, key: string): Promise<void> {
    await limiter.delete(key).catch(() => undefined);
  }

  close(): void {
    this.redis?.disconnect();
  }
}

/** The client address of a request, as the key part of a per-address budget. */
function clientKey(ctx: RequestContext): string {
  return ctx.ip ?? 'unknown';
}

/** On `login`: a budget per email and client address; a successful sign-in restores it. */
export class LoginThrottle implements MiddlewareInterface<RequestContext> {
  constructor(private readonly limits: RateLimits) {}

  async use({ args, context }: ResolverData<RequestContext>, next: NextFn): Promise<unknown> {
    const key = `${String(args.email ?? '').trim().toLowerCase()}|${clientKey(context)}`;
    await this.limits.consume(this.limits.login, key, context.log);
    const result: unknown = await next();
    await this.limits.reset(this.limits.login, key);
    return result;
  }
}

/** Lookups whose budget is being taken, by request context (see `lookupAdmitted`). */
const admissions = new WeakMap<object, Promise<void>>();

/**
 * The budget check of the lookup running in this context, for the resolver to await before it
 * reads PostgreSQL or answers (undefined outside a throttled lookup). It lets the resolver ask
 * the profile cache while the budget is counted: a warm lookup waits for one Redis round trip,
 * not two. Nothing is read from PostgreSQL, audited or answered for a lookup over its budget.
 */
export function lookupAdmitted(context: object): Promise<void> | undefined {
  return admissions.get(context);
}

/** On `customerLookup`: a budget per staff member or device. */
export class LookupThrottle implements MiddlewareInterface<RequestContext> {
  constructor(private readonly limits: RateLimits) {}

  async use({ context }: ResolverData<RequestContext>, next: NextFn): Promise<unknown> {
    const actor = context.actor;
    const key = actor ? `${actor.kind}:${actor.id}` : `anonymous:${clientKey(context)}`;
    const admitted = this.limits.consume(this.limits.lookup, key, context.log);
    // Awaited below and by the resolver; this only keeps a refusal from counting as unhandled meanwhile.
    admitted.catch(() => undefined);
    admissions.set(context, admitted);
    try {
      const result: unknown = await next();
      await admitted;
      return result;
    } finally {
      admissions.delete(context);
    }
  }
}
