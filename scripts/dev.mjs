#!/usr/bin/env node
// `pnpm dev`: the embedded default with the server recompiled on every source change
// (tsc --watch) and restarted when its output changes (node --watch). For the displays
// with hot reload, run `pnpm -F @pos/displays dev` beside it.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// The server's Node options (server/src/node-flags.ts); `pnpm dev` builds the server first.
const { SERVER_NODE_FLAGS } = await import('../server/dist/node-flags.js');
const tsc = createRequire(join(root, 'server', 'package.json')).resolve('typescript/bin/tsc');
const children = [
  spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'], { cwd: join(root, 'server'), stdio: 'inherit' }),
  spawn(process.execPath, [...SERVER_NODE_FLAGS, '--watch-path=server/dist', 'server/dist/main.js', 'start'], { cwd: root, stdio: 'inherit' }),
];
const stop = (signal) => {
  for (const c of children) c.kill(signal);
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
for (const c of children) c.on('exit', () => stop('SIGTERM'));
