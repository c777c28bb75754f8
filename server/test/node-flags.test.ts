import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { missingNodeFlags, SERVER_NODE_FLAGS } from '../src/node-flags.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('the Node options the server runs with', () => {
  it('are passed by pnpm start, pnpm serve and the image, in front of the entry point', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    const expected = `node ${SERVER_NODE_FLAGS.join(' ')} server/dist/main.js`;
    expect(scripts.start).toContain(`${expected} start`);
    expect(scripts.serve).toContain(`${expected} serve`);
    expect(read('Dockerfile')).toContain(`CMD ${JSON.stringify(['node', ...SERVER_NODE_FLAGS, 'server/dist/main.js', 'serve']).replaceAll('","', '", "')}`);
    // scripts/dev.mjs and the bench harness take them from the built module.
    for (const launcher of ['scripts/dev.mjs', 'server/bench/harness.mjs']) expect(read(launcher)).toContain('SERVER_NODE_FLAGS');
  });

  it('run this test worker as they run the server (vitest.config.ts): AsyncLocalStorage without promise hooks', () => {
    expect(missingNodeFlags()).toEqual([]);
    // With Node 22's hook-based AsyncLocalStorage, every promise made after a run carries its async ids.
    new AsyncLocalStorage<number>().run(1, () => undefined);
    const probe = (async () => undefined)();
    expect(Object.getOwnPropertySymbols(probe).map(String)).toEqual([]);
  });

  it('are reported missing only where they are not the default', () => {
    expect(missingNodeFlags([], '22.23.3')).toEqual([...SERVER_NODE_FLAGS]);
    expect(missingNodeFlags(['--inspect', ...SERVER_NODE_FLAGS], '22.23.3')).toEqual([]);
    expect(missingNodeFlags([], '24.11.0')).toEqual([]);
  });
});
