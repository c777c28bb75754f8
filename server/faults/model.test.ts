/**
 * Model-based test (issue 11, criterion 7): random sequences of orders, added items, checkouts,
 * voids, restocks, kitchen start/bump/recall, check-ins and client retries against the real
 * server (HTTP GraphQL, graphql-ws, PostgreSQL, Redis). After every step: stock equals the
 * model and is never negative; every order's totals add up; every guest's profile (in
 * PostgreSQL and in the Redis cache) equals a recomputation from the history; the kitchen
 * board, and a screen following kitchenEvents, equal the model; refused requests wrote nothing.
 *
 * A failure prints the shrunk counterexample and the command that replays it:
 *   MODEL_SEED=<seed> MODEL_PATH=<path> MODEL_REPLAY=<replayPath> pnpm test:faults server/faults/model.test.ts
 * MODEL_RUNS sets the number of runs (default 20); MODEL_BUDGET_MS the time budget (default 80 s).
 */
import fc from 'fast-check';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../test/support/app.js';
import { commandArbitraries } from './model/commands.js';
import { Restaurant, tally } from './model/restaurant.js';

/** An assertion's message with what was expected and what the server gave. */
function explain(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const { actual, expected } = err as Error & { actual?: unknown; expected?: unknown };
  return actual === undefined && expected === undefined
    ? err.message
    : `${err.message}\n  expected: ${JSON.stringify(expected)}\n  server:   ${JSON.stringify(actual)}`;
}

const ITEMS = 4;
const RUNS = Number(process.env.MODEL_RUNS ?? 20);
const BUDGET_MS = Number(process.env.MODEL_BUDGET_MS ?? 80_000);
const GUESTS = 3;

let t: TestApp;
let kitchenSocket: Client;
beforeAll(async () => {
  // The invariant check looks every guest up after every step: lift the per-caller lookup limit.
  t = await startTestApp({ RATE_LIMIT_LOOKUP_POINTS: 1_000_000 }, { redis: true });
  kitchenSocket = t.ws(t.tokens.KITCHEN);
});
afterAll(async () => {
  console.log(
    `[model] outcomes: ${[...tally]
      .sort()
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ')}`,
  );
  await t?.close();
});

describe('model-based: the server against a model of the restaurant', () => {
  it(
    'keeps stock, totals, profiles and the kitchen board equal to the model after every step',
    { timeout: BUDGET_MS + 60_000 },
    async () => {
      const run = fc.record({
        // Prices with odd cents, so tax rounding is exercised; small stock, so OUT_OF_STOCK happens.
        prices: fc.array(fc.integer({ min: 101, max: 2_499 }), { minLength: ITEMS, maxLength: ITEMS }),
        stocks: fc.tuple(
          fc.integer({ min: 0, max: 6 }),
          fc.integer({ min: 2, max: 8 }),
          fc.integer({ min: 0, max: 4 }),
          fc.constant(null),
        ),
      });
      const started = Date.now();
      const details = await fc.check(
        fc.asyncProperty(
          run,
          fc.commands(commandArbitraries(ITEMS, GUESTS), {
            maxCommands: 30,
            size: 'max',
            replayPath: process.env.MODEL_REPLAY,
          }),
          async (params, cmds) => {
            const { model, real } = await Restaurant.open(t, kitchenSocket, { ...params, guests: GUESTS });
            try {
              await fc.asyncModelRun(() => ({ model, real }), cmds);
            } finally {
              real.close();
            }
          },
        ),
        {
          numRuns: RUNS,
          ...(process.env.MODEL_SEED ? { seed: Number(process.env.MODEL_SEED), path: process.env.MODEL_PATH } : {}),
          // A shared, busy machine: stop starting runs after the budget rather than run long (shrinking included).
          interruptAfterTimeLimit: BUDGET_MS,
        },
      );
      console.log(
        `[model] ${details.numRuns} runs in ${Math.round((Date.now() - started) / 1000)} s (seed ${details.seed}${details.interrupted ? ', stopped at the time budget' : ''})`,
      );
      if (details.failed) {
        const replay = /replayPath="([^"]*)"/.exec(String(details.counterexample))?.[1];
        throw new Error(
          `${fc.defaultReportMessage(details)}\n\nReplay: MODEL_SEED=${details.seed} MODEL_PATH="${details.counterexamplePath}"` +
            `${replay ? ` MODEL_REPLAY="${replay}"` : ''} pnpm test:faults server/faults/model.test.ts` +
            `\n\nWhat the server got wrong:\n${explain(details.errorInstance)}`,
        );
      }
      if (process.env.MODEL_SEED) return;
      // Bounded by time, but never vacuous: enough runs, and the refusals and paths the model is about were taken.
      expect(details.numRuns).toBeGreaterThanOrEqual(Math.min(RUNS, 8));
      for (const outcome of [
        'placeOrder ok',
        'placeOrder OUT_OF_STOCK',
        'checkout ok',
        'voidOrder ok',
        'bumpTicket ok',
        'checkInGuest ok',
      ]) {
        expect(tally.get(outcome) ?? 0, `runs that took "${outcome}"`).toBeGreaterThan(0);
      }
    },
  );
});
