import { z } from 'zod';

/** Development default for the token secret: accepted outside production only. */
export const DEV_TOKEN_SECRET = 'dev-only-token-secret-change-me-0123456789';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  // How long an idle keep-alive connection stays open. Longer than the reverse proxy's own idle
  // timeout (nginx's upstream keepalive_timeout and AWS ALB's are 60 s), so the proxy never sends
  // a request on a connection the server is closing (a 502 for a POST). Node's default is 5 s.
  HTTP_KEEP_ALIVE_SECONDS: z.coerce.number().min(1).max(3600).default(65),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  // A pooled connection left idle this long is closed (pg-pool's own default is 10 s). A new one
  // costs its first requests a cold PostgreSQL backend (catalog caches, each prepared statement
  // planned again), and opening them came exactly when a burst of orders needed them: the slowest
  // episodes of bench W4 (bench/RESULTS.md, fourteenth pass). HikariCP's default, 10 minutes.
  DATABASE_POOL_IDLE_SECONDS: z.coerce.number().min(1).max(86_400).default(600),
  // The busiest writes are prepared on each connection once this process has run the same
  // statement shape this many times (infra/prepared-statements.ts). 0 never prepares them: for a
  // pooler that does not keep per-connection state, such as PgBouncer in transaction mode.
  DATABASE_PREPARE_AFTER: z.coerce.number().int().min(0).default(3),
  // A GraphQL operation is executed by graphql-jit from its this-many-th run on, by graphql-js
  // before (common/compiled-execution.ts); 0 never compiles.
  GRAPHQL_COMPILE_AFTER: z.coerce.number().int().min(0).default(10),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  REDIS_KEY_PREFIX: z.string().default('pos:'),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEV_TOKEN_SECRET),
  TOKEN_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  /** Sales tax in basis points (875 = 8.75 %). */
  TAX_RATE_BPS: z.coerce.number().int().min(0).max(10_000).default(875),
  CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like USD').default('USD'),
  /** IANA time zone of the restaurant: business days and order numbers follow it. */
  TIME_ZONE: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone like America/New_York')
    .default('UTC'),
  /** Hour (local, 0-23) at which a business day starts; orders after midnight count toward the night before. */
  BUSINESS_DAY_START_HOUR: z.coerce.number().int().min(0).max(23).default(4),
  /** Region for phone numbers written without a country code (ISO 3166 alpha-2). */
  PHONE_DEFAULT_REGION: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter region code like US').default('US'),
  /** How long idempotency keys are remembered (at least 72 hours). */
  IDEMPOTENCY_TTL_HOURS: z.coerce.number().int().min(72).default(72),
  /** Lifecycle rules (see customers/lifecycle.ts). */
  LIFECYCLE_REGULAR_VISITS: z.coerce.number().int().min(2).default(5),
  LIFECYCLE_AT_RISK_FACTOR: z.coerce.number().min(1).default(2),
  LIFECYCLE_AT_RISK_MIN_DAYS: z.coerce.number().int().min(1).default(14),
  LIFECYCLE_LAPSED_DAYS: z.coerce.number().int().min(7).default(90),
  /** How long a cached guest profile lives (writes delete it sooner). */
  PROFILE_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).default(600),
  /** Past this, a cache command counts as failed and the lookup reads PostgreSQL. */
  CACHE_TIMEOUT_MS: z.coerce.number().int().min(5).max(5_000).default(50),
  /** Points per whole major unit (1.00) spent before tax and tip. */
  LOYALTY_POINTS_PER_UNIT: z.coerce.number().int().min(0).max(100).default(1),
  /** Tiers by lifetime points, "Name:points,...", the first at 0. */
  LOYALTY_TIERS: z
    .string()
    .regex(/^\s*[^:,]+:0\s*(,\s*[^:,]+:\d+\s*)*$/, 'must look like Bronze:0,Silver:500,Gold:1500')
    .default('Bronze:0,Silver:500,Gold:1500'),
  /**
   * Browser origins (comma-separated, e.g. https://pos.example.com) allowed to open the websocket
   * besides the server's own; outside production, localhost origins are allowed too.
   */
  ALLOWED_ORIGINS: z
    .string()
    .transform((v) => v.split(',').map((o) => o.trim().replace(/\/$/, '')).filter(Boolean))
    .pipe(z.array(z.url({ message: 'must be a comma-separated list of origins like https://pos.example.com' })))
    .default([]),
  /**
   * Which proxies to believe about the client's address (X-Forwarded-For), as Express's "trust proxy":
   * e.g. `loopback`, `uniquelocal` (private networks, as in docker compose), a hop count, or addresses.
   * Unset: the address is the peer's (right without a proxy). Sign-in rate limits are per address.
   */
  TRUST_PROXY: z.string().optional(),
  /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Sign-in attempts per email and client address per window (a success restores the budget). */
  RATE_LIMIT_LOGIN_POINTS: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  /** customerLookup calls per staff member or device per window. */
  RATE_LIMIT_LOOKUP_POINTS: z.coerce.number().int().min(1).default(300),
  RATE_LIMIT_LOOKUP_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  MIGRATE_ON_START: bool.default(true),
  SEED_DEMO: bool.optional(),
  /** Folder with the built displays, served under / when set (the embedded default sets it). */
  DISPLAYS_DIR: z.string().optional(),
  /** Where the embedded PostgreSQL keeps its data. */
  DATA_DIR: z.string().optional(),
  /** 0 picks a free port at each start (the embedded server is private to this process). */
  EMBEDDED_PG_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
});

export type Config = z.output<typeof schema>;

/** Every setting the server reads (the README's configuration table documents each). */
export const CONFIG_KEYS = Object.keys(schema.shape) as (keyof Config)[];

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The only reader of the environment. Everything else receives a Config.
 * Empty strings count as unset so `FOO=` in a compose file means "use the default".
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  const config = parsed.data;
  const problems: string[] = [];
  if (config.NODE_ENV === 'production' && config.TOKEN_SECRET === DEV_TOKEN_SECRET) {
    problems.push('TOKEN_SECRET: must be set to a real secret in production');
  }
  if (config.NODE_ENV === 'production' && config.ALLOWED_ORIGINS.length === 0) {
    problems.push('ALLOWED_ORIGINS: production needs the browser origins it serves, e.g. https://pos.example.com');
  }
  if ((config.ADMIN_EMAIL === undefined) !== (config.ADMIN_PASSWORD === undefined)) {
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD: set both or neither');
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** Used by tests and tools to derive a config from explicit values. */
export function configFrom(overrides: Record<string, string | number | boolean | undefined>): Config {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) env[k] = String(v);
  return loadConfig(env);
}
