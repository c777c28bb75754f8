import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import WebSocket from 'ws';
import type { DestinationStream } from 'pino';
import { createClient, type Client } from 'graphql-ws';
import { configFrom, type Config } from '../../src/config.js';
import { createApp, systemContext, type App } from '../../src/app.js';
import { openDatabase, type Orm } from '../../src/infra/database.js';
import { createLogger } from '../../src/infra/logger.js';
import { createEventBus, type EventBus } from '../../src/infra/pubsub.js';
import { Role } from '../../src/common/roles.js';
import type { Actor, RequestContext } from '../../src/common/context.js';
import { gql, TEST_TOKEN_SECRET, type GqlResponse } from './http.js';
import './provided.js';

export { gql, TEST_TOKEN_SECRET, type GqlResponse };

export const TEST_PASSWORD = 'test-password-1';

export interface TestApp {
  app: App;
  orm: Orm;
  /** The app's event bus (for services a test builds beside the app's own). */
  bus: EventBus;
  url: string;
  wsUrl: string;
  config: Config;
  /** A bearer token per role, for staff created for this app. */
  tokens: Record<Role, string>;
  /** A request context acting as this app's staff member of the role, for calling services directly. */
  as(role: Role): RequestContext;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResponse<T>>;
  ws(token?: string, extra?: { onClosed?: (code: number, reason: string) => void }): Client;
  close(): Promise<void>;
}

/** Boots the real app on a random port against this run's database. */
export async function startTestApp(
  overrides: Record<string, string | number | boolean | undefined> = {},
  opts: { redis?: boolean; onQuery?: (sql: string) => void; clock?: () => Date; logStream?: DestinationStream } = {},
): Promise<TestApp> {
  const config = configFrom({
    ...(opts.redis ? { REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: inject('redisPrefix') } : {}),
    DATABASE_URL: inject('databaseUrl'),
    PORT: 0,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    MIGRATE_ON_START: false,
    TOKEN_SECRET: TEST_TOKEN_SECRET,
    // Every statement shape of the busiest writes is prepared the first time, so the tests run
    // each through PREPARE and EXECUTE (infra/prepared-statements.ts).
    DATABASE_PREPARE_AFTER: 1,
    // Every GraphQL operation is compiled on its first run, so the tests run each through
    // graphql-jit (common/compiled-execution.ts; compiled-execution.test.ts runs both ways).
    GRAPHQL_COMPILE_AFTER: 1,
    ...overrides,
  });
  const log = createLogger(config, opts.logStream);
  const orm = await openDatabase(config.DATABASE_URL!, config, log, { onQuery: opts.onQuery });
  const bus = createEventBus({ redisUrl: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, log });
  const app = await createApp({ config, log, orm, bus, clock: opts.clock });
  const suffix = randomUUID().slice(0, 8);
  const tokens = {} as Record<Role, string>;
  const actors = {} as Record<Role, Actor>;
  for (const role of Object.values(Role)) {
    const email = `${role.toLowerCase()}-${suffix}@test.pos`;
    await app.services.auth.createStaff(systemContext({ orm, log }), { name: `${role} ${suffix}`, email, password: TEST_PASSWORD, role });
    const payload = await app.services.auth.login(systemContext({ orm, log }), email, TEST_PASSWORD);
    tokens[role] = payload.token;
    actors[role] = { kind: 'staff', id: payload.staff.id, role, name: payload.staff.name };
  }
  const sockets: Client[] = [];
  const wsUrl = app.url.replace(/^http/, 'ws') + '/graphql';
  return {
    app,
    orm,
    bus,
    url: app.url,
    wsUrl,
    config,
    tokens,
    as: (role) => systemContext({ orm, log }, actors[role]),
    gql: (query, variables, token) => gql(app.url, query, variables, token),
    ws: (token, extra) => {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        connectionParams: token === undefined ? {} : { authorization: `Bearer ${token}` },
        on: { closed: (e) => extra?.onClosed?.((e as { code: number }).code, (e as { reason: string }).reason) },
        onNonLazyError: () => undefined,
      });
      sockets.push(client);
      return client;
    },
    close: async () => {
      await Promise.all(sockets.map((s) => s.dispose()));
      await app.close();
      await bus.close();
      await orm.close();
    },
  };
}

/** Collects the next `count` results of a subscription, failing after `timeoutMs`. */
export function collect<T>(client: Client, query: string, variables: Record<string, unknown>, count: number, timeoutMs = 5000) {
  const results: { data?: T; errors?: GqlResponse['errors'] }[] = [];
  let unsubscribe: () => void = () => undefined;
  const done = new Promise<typeof results>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out with ${results.length}/${count} results: ${JSON.stringify(results)}`));
    }, timeoutMs);
    unsubscribe = client.subscribe<T>(
      { query, variables },
      {
        next: (r) => {
          results.push(r as (typeof results)[number]);
          if (results.length >= count) {
            clearTimeout(timer);
            unsubscribe();
            resolve(results);
          }
        },
        error: (e) => {
          clearTimeout(timer);
          reject(e instanceof Error ? e : new Error(JSON.stringify(e)));
        },
        complete: () => undefined,
      },
    );
  });
  return { done, unsubscribe: () => unsubscribe() };
}

/** Waits until a websocket subscription is registered on the server (connection ack + subscribe sent). */
export function settle(ms = 150): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
