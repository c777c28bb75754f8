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
