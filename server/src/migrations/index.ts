import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125033532 } from './Migration20261125033532.js';
import { Migration20261125155535 } from './Migration20261125155535.js';
import { Migration20261125161407 } from './Migration20261125161407.js';
import { Migration20261125163203 } from './Migration20261125163203.js';
import { Migration20261125164935 } from './Migration20261125164935.js';
import { Migration20261125191215 } from './Migration20261125191215.js';
import { Migration20261127091708 } from './Migration20261127091708.js';

/** Committed migrations, in order. Written by `pnpm migrate:create`; do not edit by hand. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261125033532', class: Migration20261125033532 },
  { name: 'Migration20261125155535', class: Migration20261125155535 },
  { name: 'Migration20261125161407', class: Migration20261125161407 },
  { name: 'Migration20261125163203', class: Migration20261125163203 },
  { name: 'Migration20261125164935', class: Migration20261125164935 },
  { name: 'Migration20261125191215', class: Migration20261125191215 },
  { name: 'Migration20261127091708', class: Migration20261127091708 },
];
