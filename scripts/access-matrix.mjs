#!/usr/bin/env node
// Writes the access matrix (server/src/common/access.ts, built to server/dist) into README.md
// between its markers. A test fails when the README and the data differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { accessMarkdown, MATRIX_BEGIN, MATRIX_END } = await import(new URL('../server/dist/common/access-table.js', import.meta.url).href);
const file = `${root}README.md`;
const readme = readFileSync(file, 'utf8');
const start = readme.indexOf(MATRIX_BEGIN);
const end = readme.indexOf(MATRIX_END);
if (start < 0 || end < 0) {
  console.error(`README.md has no access matrix markers; add these two lines where it belongs:\n${MATRIX_BEGIN}\n${MATRIX_END}`);
  process.exit(1);
}
writeFileSync(file, readme.slice(0, start) + accessMarkdown() + readme.slice(end + MATRIX_END.length));
console.log('wrote the access matrix into README.md');
