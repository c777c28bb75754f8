// @vitest-environment node
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('generated operation types', () => {
  it('match schema.graphql and the operations (run `pnpm codegen` after changing either)', async () => {
    const outputs = await generate({ ...config, cwd: root, silent: true, verbose: false }, false);
    const committed = readFileSync(fileURLToPath(new URL('./generated.ts', import.meta.url)), 'utf8');
    expect(outputs).toHaveLength(1);
    expect(outputs[0]!.content).toBe(committed);
  }, 60_000);
});
