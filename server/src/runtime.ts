import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Config } from './config.js';
import { createLogger, type Logger } from './infra/logger.js';
import { migrate, openDatabase, type Orm } from './infra/database.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './infra/embedded-postgres.js';
import { createEventBus, type EventBus } from './infra/pubsub.js';
import { createApp, systemContext, type App } from './app.js';
import { seedDemo } from './seed/demo.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Runtime {
  app: App;
  orm: Orm;
  log: Logger;
  embedded?: EmbeddedDatabase;
  databaseUrl: string;
  /** Graceful: stop accepting, drain HTTP and websockets, close the pools, stop embedded PostgreSQL. */
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  /** The embedded default: embedded PostgreSQL when DATABASE_URL is unset, demo data, displays. */
  embedded: boolean;
  log?: Logger;
}

export async function startRuntime(config: Config, opts: RuntimeOptions): Promise<Runtime> {
  const log = opts.log ?? createLogger(config);
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    if (!opts.embedded) {
      throw new Error('DATABASE_URL is not set: `pnpm serve` needs a PostgreSQL URL (or use `pnpm start` for the embedded default)');
    }
    embedded = await startEmbeddedPostgres({
      dataDir: config.DATA_DIR ?? join(REPO_ROOT, '.data'),
      port: config.EMBEDDED_PG_PORT,
      database: 'pos',
      log,
    });
    databaseUrl = embedded.url;
  }
  let orm: Orm | undefined;
  let bus: EventBus | undefined;
  try {
    orm = await openDatabase(databaseUrl, config, log);
    if (config.MIGRATE_ON_START) await migrate(orm, log);
    bus = createEventBus({ redisUrl: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, log });
    const app = await createApp({ config, log, orm, bus });
    if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
      await app.services.auth.ensureAdmin(orm.em.fork(), config.ADMIN_EMAIL, config.ADMIN_PASSWORD, log);
    }
    if (config.SEED_DEMO ?? opts.embedded) {
      await seedDemo(app.services, systemContext({ orm, log }), log);
    }
    const ormRef = orm;
    const busRef = bus;
    return {
      app,
      orm,
      log,
      embedded,
      databaseUrl,
      stop: async () => {
        await app.close();
        log.info('http and websockets drained');
        await busRef.close();
        await ormRef.close();
        await embedded?.stop();
        log.info('shutdown complete');
      },
    };
  } catch (err) {
    await bus?.close().catch(() => undefined);
    await orm?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw err;
  }
}
