import { readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Orm } from '../infra/database.js';

/** The source folder, also when running from the compiled dist/ build. */
const SOURCE_DIR = fileURLToPath(new URL('../../src/migrations/', import.meta.url));

/**
 * Writes a migration for the difference between the entities and the (migrated) database,
 * and registers it in index.ts, which lists migrations explicitly (no folder scanning at run time).
 */
export async function createMigration(orm: Orm): Promise<string> {
  const result = await orm.migrator.create(SOURCE_DIR);
  if (!result.fileName) return 'no changes: the database already matches the entities';
  writeIndex();
  return `created ${result.fileName}`;
}

/** Rewrites index.ts from the migration files in the folder, oldest first. */
export function writeIndex(): void {
  const names = readdirSync(SOURCE_DIR)
    .filter((f) => /^Migration\d+.*\.ts$/.test(f))
    .map((f) => basename(f, '.ts'))
    .sort();
  const lines = [
    "import type { MigrationObject } from '@mikro-orm/core';",
    ...names.map((n) => `import { ${n} } from './${n}.js';`),
    '',
    '/** Committed migrations, in order. Written by `pnpm migrate:create`; do not edit by hand. */',
    'export const migrationsList: MigrationObject[] = [',
    ...names.map((n) => `  { name: '${n}', class: ${n} },`),
    '];',
    '',
  ];
  writeFileSync(join(SOURCE_DIR, 'index.ts'), lines.join('\n'));
}
