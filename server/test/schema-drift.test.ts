import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { schemaSdl } from '../src/schema.js';
import { createEventBus } from '../src/infra/pubsub.js';
import { configFrom } from '../src/config.js';
import { createLogger } from '../src/infra/logger.js';
import { openDatabase } from '../src/infra/database.js';
import { inject } from 'vitest';

describe('generated artefacts', () => {
  it('schema.graphql matches the resolvers (run `pnpm schema` after changing them)', async () => {
    const committed = readFileSync(fileURLToPath(new URL('../../schema.graphql', import.meta.url)), 'utf8');
    expect(committed).toBe(await schemaSdl(createEventBus()));
  });

  it('the committed migrations produce exactly the schema the entities describe (run `pnpm migrate:create`)', async () => {
    const orm = await openDatabase(inject('databaseUrl'), configFrom({}), createLogger({ LOG_LEVEL: 'silent' }));
    try {
      expect(await orm.migrator.getPending()).toEqual([]);
      const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
      expect(diff.trim()).toBe('');
    } finally {
      await orm.close();
    }
  });
});
