import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../infra/logger.js';
import type { Role } from './roles.js';

export type Actor =
  | { kind: 'staff'; id: string; role: Role; name: string }
  | { kind: 'device'; id: string; role: Role; name: string };

/** Everything a request carries; services take it as their first argument. */
export interface RequestContext {
  requestId: string;
  actor: Actor | null;
  /** The client's address (rate limits key on it); absent for work outside a request. */
  ip?: string;
  /** A fork of the EntityManager for this request (or websocket operation) alone. */
  em: EntityManager;
  log: Logger;
  /**
   * Subscriptions that read a log before going live (kitchenEvents) start from here: a
   * subscription's subscribe function sees the context, not the resolver instance.
   */
  feeds?: LiveFeeds;
}

export interface LiveFeeds {
  kitchenEvents(ctx: RequestContext, station: string | null | undefined, since: string | null | undefined): AsyncIterable<unknown>;
}

/** Where a lazily made EntityManager fork lives; shared by a context and Apollo's copy of it. */
interface EmSlot {
  fork: () => EntityManager;
  em?: EntityManager;
}

class LazyContext {
  /** Own and enumerable, so a copy of the context (Apollo makes one per operation) shares the one fork. */
  emSlot!: EmSlot;

  get em(): EntityManager {
    return (this.emSlot.em ??= this.emSlot.fork());
  }

  set em(value: EntityManager) {
    this.emSlot.em = value;
  }
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);
const noop = () => undefined;

/**
 * `base.child(bindings)`, made when first used for something the level lets through: a request
 * that logs nothing at the configured level never builds a child logger. A data property, so
 * copies of the context carry it as it is.
 */
export function lazyChildLogger(base: Logger, bindings: Record<string, unknown>): Logger {
  let child: Logger | undefined;
  const made = () => (child ??= base.child(bindings));
  return new Proxy({} as Logger, {
    get: (_target, key) => {
      if (!child && typeof key === 'string' && LEVELS.has(key) && !base.isLevelEnabled(key)) return noop;
      const logger = made();
      const value: unknown = Reflect.get(logger, key, logger);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(logger) : value;
    },
    set: (_target, key, value) => Reflect.set(made(), key, value),
    has: (_target, key) => key in made(),
  });
}

/**
 * A request's context whose EntityManager fork is made on first use (a warm register lookup
 * needs none) and whose logger is a child made on first use (see `lazyChildLogger`). `em` is an
 * accessor on the prototype, so `{ ...ctx, em }` copies must name their `em`, as they all do.
 */
export function lazyContext(fields: Omit<RequestContext, 'em' | 'log'>, fork: () => EntityManager, log: Logger): RequestContext {
  return Object.assign(new LazyContext(), fields, { emSlot: { fork }, log }) as unknown as RequestContext;
}
