/**
 * The Node options the server runs with. Every launcher passes them: `pnpm start` and
 * `pnpm serve` (package.json), scripts/dev.mjs, the Dockerfile's CMD, the bench harness, and the
 * tests' server processes and Vitest workers. server/test/node-flags.test.ts checks each one
 * that spells them out, and `main.js` warns when it is started without them.
 *
 * --experimental-async-context-frame: AsyncLocalStorage on V8's continuation data instead of
 *   promise hooks (the default from Node 24; drop the flag when the runtime moves there).
 *   MikroORM runs every flush and transaction inside an AsyncLocalStorage context, and once one
 *   has run, Node 22's hook-based implementation calls a hook for every promise the process
 *   makes. Without those hooks a warm register lookup took about 12 % less CPU, a cold one 10 %
 *   and a kitchen board 8 % (bench/RESULTS.md, seventh pass).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--experimental-async-context-frame'];

/**
 * The server flags this process was started without: empty when it has them all, or on a Node
 * whose default they are (24 and later).
 */
export function missingNodeFlags(execArgv: readonly string[] = process.execArgv, nodeVersion: string = process.versions.node): string[] {
  if (Number(nodeVersion.split('.')[0]) >= 24) return [];
  return SERVER_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
}
