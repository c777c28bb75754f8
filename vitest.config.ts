import { defineConfig } from 'vitest/config';
import { createRequire } from 'node:module';
import vue from '@vitejs/plugin-vue';
import { SERVER_NODE_FLAGS } from './server/src/node-flags.js';

const require = createRequire(import.meta.url);
// One copy of graphql for everything Vitest loads (otherwise "another module or realm").
const graphqlEntry = require.resolve('graphql/index.js', { paths: ['./server'] });

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    // The workers run the server in-process as it ships (server/src/node-flags.ts).
    execArgv: [...SERVER_NODE_FLAGS],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'server',
          root: './server',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          globalSetup: ['./test/global-setup.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        plugins: [vue()],
        test: {
          name: 'displays',
          root: './displays',
          include: ['src/**/*.test.ts'],
          environment: 'happy-dom',
        },
      },
      {
        // `pnpm test:faults`: real processes and injected faults (see README, Reliability).
        extends: true,
        test: {
          name: 'faults',
          root: './server',
          include: ['faults/**/*.test.ts'],
          globalSetup: ['./test/global-setup.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          root: './displays',
          include: ['e2e/**/*.test.ts'],
          globalSetup: ['../server/test/global-setup.ts', './e2e/build-displays.ts'],
          environment: 'node',
          fileParallelism: false,
        },
      },
    ],
  },
});
