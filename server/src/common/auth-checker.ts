import { getMetadataStorage, type AuthChecker } from 'type-graphql';
import { PUBLIC } from './roles.js';
import { AppError, ErrorCode } from './errors.js';
import type { RequestContext } from './context.js';

/** Allows a call when its rule names PUBLIC or the caller's role. */
export const authChecker: AuthChecker<RequestContext, string> = ({ context }, roles) => {
  if (roles.includes(PUBLIC)) return true;
  if (!context.actor) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Authentication required');
  return roles.includes(context.actor.role);
};

/**
 * Deny by default: every query, mutation and subscription must name who may call it.
 * Checked when the schema is built, so a new operation without a rule fails at boot and in tests.
 */
export function assertEveryOperationHasRule(): void {
  const storage = getMetadataStorage();
  const ruled = new Set(
    storage.authorizedFields.filter((a) => a.roles.length > 0).map((a) => `${a.target.name}.${a.fieldName}`),
  );
  const operations = [...storage.queries, ...storage.mutations, ...storage.subscriptions];
  const missing = operations
    .filter((op) => !ruled.has(`${op.target.name}.${op.methodName}`))
    .map((op) => `${op.target.name}.${op.methodName}`);
  if (missing.length) {
    throw new Error(`Operations without an @Authorized rule (deny by default): ${missing.join(', ')}`);
  }
}
