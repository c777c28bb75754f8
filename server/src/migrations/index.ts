import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125033532 } from './Migration20261125033532.js';

/** Committed migrations, in order. Written by `pnpm migrate:create`; do not edit by hand. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261125033532', class: Migration20261125033532 },
];
