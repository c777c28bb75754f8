import 'reflect-metadata';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './infra/logger.js';
import { migrate, openDatabase } from './infra/database.js';
import { createEventBus } from './infra/pubsub.js';
import { schemaSdl } from './schema.js';
import { REPO_ROOT, startRuntime } from './runtime.js';
import { createMigration } from './migrations/create.js';
import { DEMO_LOGINS } from './seed/demo.js';
import { missingNodeFlags } from './node-flags.js';

const USAGE = 'usage: main.js start | serve | schema | migrate | migrate:create | seed';

async function run(command: string, config: Config): Promise<void> {
  const log = createLogger(config);
  switch (command) {
    case 'schema': {
      const file = join(REPO_ROOT, 'schema.graphql');
      writeFileSync(file, await schemaSdl(createEventBus()));
      console.log(`wrote ${file}`);
      return;
    }
    case 'migrate':
    case 'migrate:create': {
      const url = config.DATABASE_URL ?? 'postgres://postgres@localhost:5432/pos';
      const orm = await openDatabase(url, config, log);
      try {
        await migrate(orm, log);
        if (command === 'migrate:create') console.log(await createMigration(orm));
      } finally {
        await orm.close();
      }
      return;
    }
    case 'start':
    case 'serve':
    case 'seed': {
      const embedded = command !== 'serve';
      const displays = join(REPO_ROOT, 'displays', 'dist');
      const effective: Config = {
        ...config,
        DISPLAYS_DIR: config.DISPLAYS_DIR ?? (embedded && existsSync(displays) ? displays : undefined),
        SEED_DEMO: config.SEED_DEMO ?? (embedded ? true : undefined),
      };
      const missing = missingNodeFlags();
      if (missing.length > 0 && command !== 'seed')
        log.warn({ missing }, 'started without the Node options the server runs with (pnpm start, pnpm serve and the image pass them): each request costs more CPU; see server/src/node-flags.ts');
      const runtime = await startRuntime(effective, { embedded, log });
      if (command === 'seed') return runtime.stop();
      installShutdown(runtime.stop, config, log);
      const { url } = runtime.app;
      if (embedded) printBanner(url, Boolean(effective.DISPLAYS_DIR), runtime.embedded?.dataDir);
      console.log(`ready: GraphQL at ${url}/graphql`);
      return;
    }
    default:
      throw new Error(USAGE);
  }
}

function installShutdown(stop: () => Promise<void>, config: Config, log: ReturnType<typeof createLogger>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

function printBanner(url: string, displays: boolean, dataDir: string | undefined): void {
  const lines = [
    '',
    '  POS CRM is running (embedded default)',
    `  GraphQL      ${url}/graphql`,
    ...(displays
      ? [`  Kitchen      ${url}/kitchen?station=grill`, `  Host stand   ${url}/host`, `  Register     ${url}/register`]
      : ['  Displays     not built (run `pnpm -F @pos/displays build`)']),
    ...(dataDir ? [`  Data         ${dataDir}`] : []),
    '  Demo logins (password for all: ' + DEMO_LOGINS.password + ')',
    ...DEMO_LOGINS.staff.map((s) => `    ${s.role.padEnd(8)} ${s.email}`),
    '',
  ];
  console.log(lines.join('\n'));
}

const command = process.argv[2] ?? 'start';
let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}
run(command, config).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  if (config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace') console.error(err);
  process.exit(1);
});
