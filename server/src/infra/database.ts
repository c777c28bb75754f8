import { MikroORM, defineConfig, type Options } from '@mikro-orm/postgresql';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import type { Config } from '../config.js';
import type { Logger } from './logger.js';
import { entities } from '../entities.js';
import { migrationsList } from '../migrations/index.js';
import { PgClient } from './pg-client.js';
import { keepPoolOutsideRequests } from './pool-context.js';
import { PreparedStatements } from './prepared-statements.js';

export type Orm = MikroORM;

export const MIGRATIONS_TABLE = 'mikro_orm_migrations';

export interface OrmHooks {
  /** Called with every SQL statement the ORM runs (turns on the ORM's query logging). For tests and benchmarks. */
  onQuery?: (sql: string) => void;
}

type DatabaseConfig = Pick<Config, 'DATABASE_POOL_MAX'> & Partial<Pick<Config, 'DATABASE_PREPARE_AFTER' | 'DATABASE_POOL_IDLE_SECONDS'>>;

export function ormOptions(databaseUrl: string, config: DatabaseConfig, log?: Logger, hooks: OrmHooks = {}): Options {
  const preparedStatements = new PreparedStatements(config.DATABASE_PREPARE_AFTER ?? 3, (name, definition, error) =>
    log?.error({ event: 'statement_not_prepared', name, err: error.message, definition }, 'PostgreSQL refused to prepare a statement; it runs inlined from now on'),
  );
  return defineConfig({
    clientUrl: databaseUrl,
    entities,
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator],
    // Connections stay open while they are used at least every DATABASE_POOL_IDLE_SECONDS (see config.ts).
    pool: { min: 0, max: config.DATABASE_POOL_MAX, idleTimeoutMillis: (config.DATABASE_POOL_IDLE_SECONDS ?? 600) * 1000 },
    // BEGIN and, where asked, COMMIT travel with a transaction's statements (infra/pg-client.ts);
    // the busiest writes are prepared per connection (infra/prepared-statements.ts).
    // The pool's idle timers and new connections do not keep a request's context (pool-context.ts).
    driverOptions: { Client: PgClient, preparedStatements: () => preparedStatements, onPoolCreated: keepPoolOutsideRequests },
    discovery: { warnWhenNoEntities: true },
    migrations: {
      tableName: MIGRATIONS_TABLE,
      migrationsList,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      path: 'server/src/migrations',
      emit: 'ts',
    },
    debug: hooks.onQuery ? ['query'] : false,
    colors: false,
    logger: (message) => {
      if (hooks.onQuery && message.startsWith('[query]')) hooks.onQuery(message);
      else log?.debug({ orm: message }, 'orm');
    },
    // Request code always works on a forked EntityManager; never on the global one.
    allowGlobalContext: false,
  });
}

export async function openDatabase(databaseUrl: string, config: DatabaseConfig, log?: Logger, hooks: OrmHooks = {}): Promise<Orm> {
  return MikroORM.init(ormOptions(databaseUrl, config, log, hooks));
}

export async function migrate(orm: Orm, log: Logger): Promise<void> {
  const applied = await orm.migrator.up();
  if (applied.length) log.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
}

/** True when the database answers and every committed migration has run. */
export async function isReady(orm: Orm): Promise<boolean> {
  try {
    await orm.em.getConnection().execute('SELECT 1');
    const pending = await orm.migrator.getPending();
    return pending.length === 0;
  } catch {
    return false;
  }
}
