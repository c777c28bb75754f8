import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../../infra/logger.js';

/**
 * The hot guest profile cache, owned by the customers module (its keys live here and nowhere
 * else). Layout: `<prefix>cust:p:<id>` holds the profile JSON; `<prefix>cust:k:<lookup>` holds
 * the id for each way of finding a guest (phone, email, loyalty code). A write deletes the
 * profile and leaves a one-second tombstone, so a lookup that read PostgreSQL just before the
 * write cannot put the old profile back. The cache never fails a lookup: any error or a
 * command slower than the timeout is a miss.
 */
export interface ProfileCache {
  get(lookup: string): Promise<string | null>;
  /** `readAt`: when the read behind this profile started (ms since epoch). */
  fill(customerId: string, lookups: string[], profileJson: string, readAt: number): Promise<void>;
  invalidate(customerId: string, lookups?: string[]): Promise<void>;
  close(): Promise<void>;
  readonly kind: 'redis' | 'memory';
  /** How long a filled profile stays (ms). */
  readonly ttlMs: number;
}

const TOMBSTONE_MS = 10_000;
const RETRY_MS = 250;

const GET_SCRIPT = `local id = redis.call('GET', KEYS[1])
if not id then return false end
return redis.call('GET', ARGV[1] .. id)`;

const FILL_SCRIPT = `local written = redis.call('GET', KEYS[2])
if written and tonumber(written) >= tonumber(ARGV[4]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
for i = 3, #KEYS do redis.call('SET', KEYS[i], ARGV[3], 'PX', ARGV[2]) end
return 1`;

/**
 * A write's invalidation, atomic as a MULTI was: the tombstone (KEYS[2]) set, the profile
 * (KEYS[1]) and its lookup keys (KEYS[3..]) deleted. One command rather than a MULTI pipeline:
 * ioredis replaces each MULTI's `exec` with closures on it, which kept every checkout's
 * pipeline past the young generation's collections (bench/RESULTS.md, fifteenth pass).
 */
const INVALIDATE_SCRIPT = `redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
redis.call('DEL', KEYS[1], unpack(KEYS, 3))
return 1`;

/** The scripts above, as the commands `defineCommand` adds to the client. */
interface ProfileCommands {
  profileGet(lookupKey: string, profilePrefix: string): Promise<string | null>;
  /** Keys as `keysOf` gives them, then the profile JSON, its TTL (ms), the id and when it was read. */
  profileFill(numberOfKeys: number, ...keysThenArgs: (string | number)[]): Promise<number>;
  /** Keys as `keysOf` gives them, then the tombstone's value and its TTL (ms). */
  profileInvalidate(numberOfKeys: number, ...keysThenArgs: (string | number)[]): Promise<number>;
}

export class RedisProfileCache implements ProfileCache {
  readonly kind = 'redis';
  private readonly redis: Redis & ProfileCommands;
  /** Invalidations that could not reach Redis; retried when it is back, and their ids are not read meanwhile. */
  private readonly pending = new Map<string, string[]>();
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    url: string,
    private readonly prefix: string,
    readonly ttlMs: number,
    timeoutMs: number,
    private readonly log: Logger,
  ) {
    this.redis = new Redis(url, {
      enableOfflineQueue: false,
      commandTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    }) as Redis & ProfileCommands;
    this.redis.on('error', (err) => log.debug({ err: err.message }, 'profile cache unavailable'));
    this.redis.on('ready', () => void this.retryPending());
    this.redis.defineCommand('profileGet', { numberOfKeys: 1, lua: GET_SCRIPT });
    this.redis.defineCommand('profileFill', { lua: FILL_SCRIPT });
    this.redis.defineCommand('profileInvalidate', { lua: INVALIDATE_SCRIPT });
  }

  private key(kind: 'p' | 'k' | 't', rest: string): string {
    return `${this.prefix}cust:${kind}:${rest}`;
  }

  /** A guest's keys as the fill and invalidate scripts take them: profile, tombstone, lookups. */
  private keysOf(customerId: string, lookups: string[]): string[] {
    return [this.key('p', customerId), this.key('t', customerId), ...lookups.map((l) => this.key('k', l))];
  }

  async get(lookup: string): Promise<string | null> {
    try {
      const json = await this.redis.profileGet(this.key('k', lookup), this.key('p', ''));
      if (json && this.pending.size && this.pending.has(JSON.parse(json).customer?.id)) return null;
      return json;
    } catch {
      return null;
    }
  }

  /** Fills sent and not yet answered: a lookup does not wait for them, closing does. */
  private readonly filling = new Set<Promise<void>>();

  fill(customerId: string, lookups: string[], profileJson: string, readAt: number): Promise<void> {
    const done = this.send(customerId, lookups, profileJson, readAt).finally(() => this.filling.delete(done));
    this.filling.add(done);
    return done;
  }

  private async send(customerId: string, lookups: string[], profileJson: string, readAt: number): Promise<void> {
    if (this.pending.has(customerId)) return;
    try {
      const keys = this.keysOf(customerId, lookups);
      await this.redis.profileFill(keys.length, ...keys, profileJson, this.ttlMs, customerId, readAt);
    } catch {
      // A cache that cannot be written is a cache miss next time; the lookup already has its answer.
    }
  }

  async invalidate(customerId: string, lookups: string[] = [], retrying = false): Promise<void> {
    try {
      const keys = this.keysOf(customerId, lookups);
      await this.redis.profileInvalidate(keys.length, ...keys, String(Date.now()), TOMBSTONE_MS);
      this.pending.delete(customerId);
    } catch (err) {
      this.pending.set(customerId, [...new Set([...(this.pending.get(customerId) ?? []), ...lookups])]);
      this.scheduleRetry();
      if (!retrying) this.log.warn({ err: (err as Error).message, customerId }, 'profile cache invalidation deferred until the cache is back');
    }
  }

  private async retryPending(): Promise<void> {
    for (const [id, lookups] of [...this.pending]) await this.invalidate(id, lookups, true);
    if (this.pending.size === 0 && this.retryTimer) {
      clearInterval(this.retryTimer);
      this.retryTimer = null;
    }
  }

  /**
   * Deferred invalidations are retried when the connection is ready again and, since a stalled
   * Redis (paused, not disconnected) never says so, every RETRY_MS while any is pending: other
   * instances read the shared entries as soon as Redis answers again.
   */
  private scheduleRetry(): void {
    this.retryTimer ??= setInterval(() => void this.retryPending(), RETRY_MS);
    this.retryTimer.unref();
  }

  async close(): Promise<void> {
    if (this.retryTimer) clearInterval(this.retryTimer);
    await Promise.allSettled([...this.filling]);
    this.redis.disconnect();
  }
}

export class MemoryProfileCache implements ProfileCache {
  readonly kind = 'memory';
  private readonly profiles: LRUCache<string, string>;
  private readonly ids: LRUCache<string, string>;
  private readonly tombstones = new LRUCache<string, number>({ max: 10_000, ttl: TOMBSTONE_MS });

  constructor(
    readonly ttlMs: number,
    max = 50_000,
  ) {
    this.profiles = new LRUCache({ max, ttl: ttlMs });
    this.ids = new LRUCache({ max: max * 3, ttl: ttlMs });
  }

  async get(lookup: string): Promise<string | null> {
    const id = this.ids.get(lookup);
    return (id && this.profiles.get(id)) || null;
  }

  async fill(customerId: string, lookups: string[], profileJson: string, readAt: number): Promise<void> {
    const written = this.tombstones.get(customerId);
    if (written !== undefined && written >= readAt) return;
    this.profiles.set(customerId, profileJson);
    for (const l of lookups) this.ids.set(l, customerId);
  }

  async invalidate(customerId: string, lookups: string[] = []): Promise<void> {
    this.profiles.delete(customerId);
    for (const l of lookups) this.ids.delete(l);
    this.tombstones.set(customerId, Date.now());
  }

  async close(): Promise<void> {
    this.profiles.clear();
  }
}

export function createProfileCache(opts: { redisUrl?: string; prefix: string; ttlSeconds: number; timeoutMs: number; log: Logger }): ProfileCache {
  return opts.redisUrl
    ? new RedisProfileCache(opts.redisUrl, opts.prefix, opts.ttlSeconds * 1000, opts.timeoutMs, opts.log)
    : new MemoryProfileCache(opts.ttlSeconds * 1000);
}
