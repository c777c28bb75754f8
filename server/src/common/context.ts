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
  /** A fork of the EntityManager for this request (or websocket operation) alone. */
  em: EntityManager;
  log: Logger;
}
