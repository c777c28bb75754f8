import { AsyncResource } from 'node:async_hooks';
import type { Pool } from 'pg';

/** Captured when this module is first loaded, at start-up: no request's context. */
const outsideRequests = new AsyncResource('pg-pool');

/** The parts of pg-pool's Pool this module wraps (`_release` is its internal release path, pg-pool 3.x). */
interface PoolInternals {
  connect: Pool['connect'];
  query: Pool['query'];
  _release(client: unknown, idleListener: unknown, err?: unknown): void;
}

/**
 * Makes the ORM's pool keep its own timers and connections out of the requests that use it
 * (`driverOptions.onPoolCreated`).
 *
 * Node gives every timer and socket the async context it was created in, and keeps that context
 * as long as the timer or socket lives. pg-pool creates both inside whatever request happens to
 * call it:
 * - a released connection's idle timer (DATABASE_POOL_IDLE_SECONDS, ten minutes by default) is
 *   made when a request's transaction ends, and lives until the connection is taken again;
 * - a connection opened on demand keeps the context of the request that opened it for as long
 *   as the connection stays open.
 *
 * The context holds the ORM's transaction context, and with it that request's EntityManager, its
 * identity map and every entity it loaded. A heap snapshot taken during W4 found eight idle timers
 * and eight connection handles keeping eight orders' whole transactions alive that way
 * (bench/RESULTS.md, seventeenth pass). That is memory held for nothing, not a measurable cost:
 * W4's promotion rate and major collections were the same with this change and without.
 *
 * Both calls therefore run in the context of start-up. A caller still gets its connection in its
 * own context: an `await` resumes in the awaiting code's context, and a callback given to
 * `connect` or `query` is bound to the context it was given in.
 */
export function keepPoolOutsideRequests(pool: Pool): void {
  const internals = pool as unknown as PoolInternals;
  const release = internals._release;
  if (typeof release !== 'function') throw new Error('pg-pool has no _release: keepPoolOutsideRequests needs updating for this pg-pool version');
  internals._release = function (this: Pool, ...args: Parameters<PoolInternals['_release']>) {
    return outsideRequests.runInAsyncScope(release, this, ...args);
  };
  const connect = internals.connect as (callback?: (...a: unknown[]) => void) => unknown;
  internals.connect = function (this: Pool, callback?: (...a: unknown[]) => void) {
    // A callback (pool.query's own, or a caller's) still runs in its caller's context.
    const bound = typeof callback === 'function' ? AsyncResource.bind(callback) : callback;
    return outsideRequests.runInAsyncScope(connect, this, bound);
  } as Pool['connect'];
  // pool.query's callback comes from the connection's socket: bound, it runs in its caller's
  // context rather than in the socket's (with pg alone: that of whichever request opened it).
  const query = internals.query as (...args: unknown[]) => unknown;
  internals.query = function (this: Pool, ...args: unknown[]) {
    const last = args.length - 1;
    if (typeof args[last] === 'function') args[last] = AsyncResource.bind(args[last] as (...a: unknown[]) => unknown);
    return query.apply(this, args);
  } as Pool['query'];
}
