#!/usr/bin/env node
// `pnpm bench [options]`: the benchmark harness (server/bench/harness.mjs); `pnpm bench --help` lists the options.
import { runBench } from '../server/bench/harness.mjs';

runBench(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
