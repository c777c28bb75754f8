import 'reflect-metadata';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import cors from 'cors';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { GraphQLError } from 'graphql';
import type { Pool } from 'pg';
import type { Config } from './config.js';
import type { Logger } from './infra/logger.js';
import { isReady, type Orm } from './infra/database.js';
import type { EventBus } from './infra/pubsub.js';
import { Metrics } from './infra/metrics.js';
import { AppError, formatError } from './common/errors.js';
import { lazyChildLogger, lazyContext, type Actor, type LiveFeeds, type RequestContext } from './common/context.js';
import { ResolverContainer } from './common/container.js';
import { requestLogPlugin } from './common/request-log.js';
import { httpErrorHandler } from './common/http-errors.js';
import { LIMITS, noHttpSubscriptions, protection } from './common/limits.js';
import { originAllowed } from './common/origin.js';
import { compiledExecution } from './common/compiled-execution.js';
import proxyaddr from 'proxy-addr';
import { assignRequestId, fastGraphqlRoute, timeResponse } from './common/graphql-http.js';
import { LoginThrottle, LookupThrottle, RateLimits } from './common/rate-limits.js';
import { buildAppSchema } from './schema.js';
import { createWebsocketEndpoint } from './websocket.js';
import { AuthService } from './modules/auth/auth.service.js';
import { AuthResolver } from './modules/auth/auth.resolver.js';
import { MenuService } from './modules/menu/menu.service.js';
import { MenuResolver } from './modules/menu/menu.resolver.js';
import { CustomersService } from './modules/customers/customers.service.js';
import { CustomersResolver } from './modules/customers/customers.resolver.js';
import { PrivacyService } from './modules/customers/privacy.service.js';
import { createProfileCache } from './modules/customers/profile-cache.js';
import { OrdersService } from './modules/orders/orders.service.js';
import { OrderHistory } from './modules/orders/order-history.js';
import { OrdersResolver } from './modules/orders/orders.resolver.js';
import { Idempotency } from './modules/orders/idempotency.js';
import { KitchenService } from './modules/kitchen/kitchen.service.js';
import { KitchenResolver } from './modules/kitchen/kitchen.resolver.js';
import { LoyaltyService } from './modules/loyalty/loyalty.service.js';
import { LoyaltyResolver } from './modules/loyalty/loyalty.resolver.js';
import { parseTiers } from './modules/loyalty/rules.js';
import { AuditService } from './modules/audit/audit.service.js';
import { AuditResolver } from './modules/audit/audit.resolver.js';

export interface AppDeps {
  config: Config;
  log: Logger;
  orm: Orm;
  bus: EventBus;
  /** The time, for lifecycle stages; tests pass a controllable one. */
  clock?: () => Date;
}

export interface Services {
  auth: AuthService;
  menu: MenuService;
  customers: CustomersService;
  orders: OrdersService;
  orderHistory: OrderHistory;
  idempotency: Idempotency;
  kitchen: KitchenService;
  privacy: PrivacyService;
  loyalty: LoyaltyService;
  limits: RateLimits;
  /** Closes what the services hold open (the profile cache's connection). */
  close(): Promise<void>;
}

export interface App {
  url: string;
  port: number;
  services: Services;
  metrics: Metrics;
  /** Stop accepting, drain HTTP, close websockets. The caller closes the pools it opened. */
  close(): Promise<void>;
}

export function createServices(deps: AppDeps, metrics?: Metrics): Services {
  const menu = new MenuService(deps.bus);
  const cache = instrumentCache(metrics, createProfileCache({
    redisUrl: deps.config.REDIS_URL,
    prefix: deps.config.REDIS_KEY_PREFIX,
    ttlSeconds: deps.config.PROFILE_CACHE_TTL_SECONDS,
    timeoutMs: deps.config.CACHE_TIMEOUT_MS,
    log: deps.log,
  }));
  const customers = new CustomersService(
    {
      phoneRegion: deps.config.PHONE_DEFAULT_REGION,
      lifecycle: {
        regularVisits: deps.config.LIFECYCLE_REGULAR_VISITS,
        atRiskFactor: deps.config.LIFECYCLE_AT_RISK_FACTOR,
        atRiskMinDays: deps.config.LIFECYCLE_AT_RISK_MIN_DAYS,
        lapsedDays: deps.config.LIFECYCLE_LAPSED_DAYS,
      },
      clock: deps.clock,
      readEm: deps.orm.em,
    },
    cache,
    deps.bus,
  );
  const idempotency = new Idempotency(deps.config.IDEMPOTENCY_TTL_HOURS);
  const kitchen = new KitchenService(deps.bus, deps.orm, deps.log);
  const orders = new OrdersService(deps.bus, menu, customers, idempotency, kitchen, {
    taxRateBps: deps.config.TAX_RATE_BPS,
    timeZone: deps.config.TIME_ZONE,
    dayStartHour: deps.config.BUSINESS_DAY_START_HOUR,
  });
  const loyalty = new LoyaltyService(() => deps.orm.em.fork(), customers, deps.bus, {
    pointsPerUnit: deps.config.LOYALTY_POINTS_PER_UNIT,
    tiers: parseTiers(deps.config.LOYALTY_TIERS),
    clock: deps.clock,
  });
  const limits = new RateLimits({
    redisUrl: deps.config.REDIS_URL,
    prefix: deps.config.REDIS_KEY_PREFIX,
    login: { points: deps.config.RATE_LIMIT_LOGIN_POINTS, windowSeconds: deps.config.RATE_LIMIT_LOGIN_WINDOW_SECONDS },
    lookup: { points: deps.config.RATE_LIMIT_LOOKUP_POINTS, windowSeconds: deps.config.RATE_LIMIT_LOOKUP_WINDOW_SECONDS },
    log: deps.log,
  });
  orders.useCheckoutHooks(loyalty);
  loyalty.start();
  return {
    auth: new AuthService({ tokenSecret: deps.config.TOKEN_SECRET, tokenTtlHours: deps.config.TOKEN_TTL_HOURS }, deps.bus),
    menu,
    customers,
    kitchen,
    orders,
    orderHistory: new OrderHistory(),
    idempotency,
    privacy: new PrivacyService(customers, orders, kitchen, loyalty),
    loyalty,
    limits,
    close: async () => {
      limits.close();
      loyalty.close();
      await cache.close();
    },
  };
}

/** A context for work outside a request (start-up, seeding), acting as the given actor. */
export function systemContext(deps: Pick<AppDeps, 'orm' | 'log'>, actor: Actor | null = null): RequestContext {
  return { requestId: randomUUID(), actor, em: deps.orm.em.fork(), log: deps.log };
}

/** Counts profile cache hits and misses. */
function instrumentCache<T extends { get(lookup: string): Promise<string | null> }>(metrics: Metrics | undefined, cache: T): T {
  if (!metrics) return cache;
  const get = cache.get.bind(cache);
  cache.get = async (lookup) => {
    const value = await get(lookup);
    metrics.cacheLookups.inc({ result: value === null ? 'miss' : 'hit' });
    return value;
  };
  return cache;
}

/** Counts events published on the bus, by topic. */
function instrumentBus(bus: EventBus, metrics: Metrics): EventBus {
  const publish = bus.publish.bind(bus);
  return Object.assign(Object.create(bus) as EventBus, {
    publish: (topic: string, ...payload: unknown[]) => {
      metrics.eventsPublished.inc({ topic });
      (publish as (t: string, ...p: unknown[]) => void)(topic, ...payload);
    },
  });
}

/** Request bodies above this are refused (413), on the Express route and the short one alike. */
const BODY_LIMIT_BYTES = 256 * 1024;
const EXPOSED_HEADERS = ['x-request-id'];

export async function createApp(deps: AppDeps): Promise<App> {
  const { config, log, orm } = deps;
  const pool = (await orm.em.getConnection().getNativeClient()) as Pool;
  const metrics = new Metrics({ pool: () => pool });
  deps = { ...deps, bus: instrumentBus(deps.bus, metrics) };
  const services = createServices(deps, metrics);
  const container = new ResolverContainer()
    .register(new AuthResolver(services.auth))
    .register(new MenuResolver(services.menu))
    .register(new CustomersResolver(services.customers, services.orderHistory, services.privacy))
    .register(new OrdersResolver(services.orders, services.orderHistory))
    .register(new KitchenResolver(services.kitchen))
    .register(new LoyaltyResolver(services.loyalty))
    .register(new AuditResolver(new AuditService()))
    .register(new LoginThrottle(services.limits))
    .register(new LookupThrottle(services.limits));
  const feeds: LiveFeeds = { kitchenEvents: (ctx, station, since) => services.kitchen.events(ctx, station, since) };
  const schema = await buildAppSchema({ container, pubSub: deps.bus });

  const app = express();
  app.disable('x-powered-by');
  if (config.TRUST_PROXY) app.set('trust proxy', /^\d+$/.test(config.TRUST_PROXY) ? Number(config.TRUST_PROXY) : config.TRUST_PROXY.split(',').map((v) => v.trim()));
  // POST /graphql takes the short way to Apollo once it has started (graphql-http.ts); the rest is Express's.
  let fastGraphql: ((req: IncomingMessage, res: ServerResponse) => boolean) | null = null;
  const httpServer: Server = createServer((req, res) => {
    if (!fastGraphql?.(req, res)) app(req, res);
  });
  httpServer.keepAliveTimeout = config.HTTP_KEEP_ALIVE_SECONDS * 1000;

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Ready when PostgreSQL answers with every migration applied. Redis is reported but does not
  // take the instance out of rotation: without it lookups read PostgreSQL and the bus is down
  // everywhere alike, so failing every replica's check would turn a degraded service into an outage.
  app.get('/readyz', async (_req, res) => {
    const [database, redis] = await Promise.all([isReady(orm), deps.bus.redisHealthy()]);
    const status = !database ? 'not ready' : redis === false ? 'degraded' : 'ready';
    res.status(database ? 200 : 503).json({ status, database, redis: redis ?? 'not configured' });
  });
  app.get('/metrics', async (req, res) => {
    if (config.METRICS_TOKEN && req.headers.authorization !== `Bearer ${config.METRICS_TOKEN}`) {
      res.status(401).type('text/plain').send('metrics need the METRICS_TOKEN bearer token\n');
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // Expired idempotency keys are dropped hourly (they are kept IDEMPOTENCY_TTL_HOURS, 72 at least).
  const purgeTimer = setInterval(() => {
    services.idempotency
      .purgeExpired(orm.em.fork())
      .then((n) => n && log.info({ event: 'idempotency_keys_purged', count: n }, 'expired idempotency keys purged'))
      .catch((err: unknown) => log.warn({ err }, 'purging idempotency keys failed; retrying in an hour'));
  }, 3_600_000).unref();
  // Guests whose lifecycle stage moved with the clock are reclassified every five minutes.
  const classify = () =>
    services.customers
      .refreshClassifications(orm.em.fork())
      .then((n) => n && log.info({ event: 'customers_reclassified', count: n }, 'lifecycle stages refreshed'))
      .catch((err: unknown) => log.warn({ err }, 'refreshing lifecycle stages failed; retrying later'));
  const classifyTimer = setInterval(classify, 300_000).unref();
  void classify();

  const armor = protection();
  const websockets = createWebsocketEndpoint({
    httpServer,
    schema,
    validationRules: armor.validationRules,
    config,
    log,
    orm,
    auth: services.auth,
    metrics,
    feeds,
  });

  const apollo = new ApolloServer<RequestContext>({
    // Hot operations are executed compiled (graphql-jit); Apollo takes an executor as a gateway.
    gateway: compiledExecution(schema, config.GRAPHQL_COMPILE_AFTER, (result) => metrics.operationsCompiled.inc({ result })),
    introspection: config.NODE_ENV !== 'production',
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    // main.ts owns signal handling and shuts down in order; Apollo must not race it.
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => formatError(formatted, error, log),
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: LIMITS.tokens },
    plugins: [
      ...(armor.plugins as ApolloServerPlugin<RequestContext>[]),
      requestLogPlugin(),
      metrics.apolloPlugin<RequestContext>(),
      noHttpSubscriptions() as ApolloServerPlugin<RequestContext>,
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No cache hints are used; Apollo's default cache-control plugin would still run a hook per resolved field.
      ApolloServerPluginCacheControlDisabled(),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await websockets.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  // Every HTTP request gets a correlation id (the caller's X-Request-Id when it is a plain token),
  // echoed in the response and carried by every log line of the request, and every response its
  // server time (Server-Timing).
  app.use((req, res, next) => {
    timeResponse(res);
    assignRequestId(req, res);
    next();
  });

  // CORS: the same origins as the websocket (the server's own, ALLOWED_ORIGINS, localhost outside
  // production). A browser page elsewhere gets no CORS headers, so it cannot read responses.
  const originRules = { allowed: config.ALLOWED_ORIGINS, production: config.NODE_ENV === 'production' };
  const corsRules = cors<express.Request>((req, done) =>
    done(null, {
      origin: originAllowed(req.headers.origin, req.headers.host, originRules),
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['content-type', 'authorization', 'x-request-id', 'apollo-require-preflight'],
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: 600,
    }),
  );

  const graphqlContext = async ({ req, res }: { req: express.Request; res: express.Response }): Promise<RequestContext> => {
    const requestId = res.locals.requestId as string;
    const ctx = lazyContext({ requestId, actor: null, ip: req.ip ?? req.socket.remoteAddress, feeds }, () => orm.em.fork(), lazyChildLogger(log, { requestId }));
    try {
      ctx.actor = await services.auth.authenticate(() => ctx.em, req.headers.authorization);
    } catch (err) {
      if (err instanceof AppError) {
        throw new GraphQLError(err.message, { extensions: { code: err.code, http: { status: 401 } } });
      }
      throw err;
    }
    return ctx;
  };
  const errorHandler = httpErrorHandler(log);
  app.use('/graphql', corsRules, express.json({ limit: BODY_LIMIT_BYTES }), expressMiddleware(apollo, { context: graphqlContext }));
  fastGraphql = fastGraphqlRoute({
    app,
    apollo,
    context: graphqlContext,
    originAllowed: (origin, host) => originAllowed(origin, host, originRules),
    exposedHeaders: EXPOSED_HEADERS.join(','),
    limitBytes: BODY_LIMIT_BYTES,
    // What Express's req.ip does, with the trust function Express compiled from `trust proxy`.
    clientIp: (req) => proxyaddr(req, app.get('trust proxy fn') as (addr: string, i: number) => boolean),
    onError: (err, req, res) => errorHandler(err, req, res, () => undefined),
  });

  if (config.DISPLAYS_DIR && existsSync(join(config.DISPLAYS_DIR, 'index.html'))) {
    const dir = config.DISPLAYS_DIR;
    app.use(express.static(dir, { index: 'index.html', maxAge: '1h' }));
    // The displays are a single-page app: its routes all serve index.html.
    app.get(/^\/(kitchen|host|register)(\/.*)?$/, (_req, res) => res.sendFile(join(dir, 'index.html')));
  }
  app.use(errorHandler);

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.PORT, config.HOST, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    services,
    metrics,
    close: () =>
      (closing ??= (async () => {
        // Apollo's drain plugins stop the listener, let in-flight requests finish and close sockets.
        clearInterval(purgeTimer);
        services.kitchen.close();
        clearInterval(classifyTimer);
        await apollo.stop();
        await websockets.close();
        await services.close();
      })()),
  };
}
