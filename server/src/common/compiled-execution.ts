import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import { execute, GraphQLError, printSchema, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;
type GatewayRequest = Parameters<Executor>[0];

/** Per operation of a document: how often it has run uncompiled, or its compiled form (null: graphql-jit declined it). */
type Compilation = number | CompiledQuery | null;

/**
 * Executes Apollo's operations with graphql-jit once they are hot. A document the server keeps
 * receiving (the register's lookup, the screens' queries, the orders' mutations) is compiled into
 * a function that resolves its fields without graphql-js's per-field bookkeeping (argument maps,
 * field collection, path objects): a warm register lookup allocates about a fifth less.
 *
 * - Apollo parses, validates (with the armor rules), builds the context and runs its plugins as
 *   before; only the execution step changes, over the same schema and resolvers (the access
 *   guard included).
 * - An operation is compiled on its `compileAfter`th run (1: its first; 0: never) and runs on
 *   graphql-js until then, so a one-off document costs no compile. Apollo keeps one parsed
 *   document per distinct query text (its document store), so compiled operations live as long
 *   as Apollo keeps their document.
 * - When the variables do not fit the operation (a request error, nothing run), the request is
 *   answered by graphql-js after all, so its error is graphql-js's own, which Apollo reports as
 *   BAD_USER_INPUT exactly as without compilation.
 *
 * Apollo Server takes an executor only through its gateway interface, hence the shape.
 */
export function compiledExecution(
  schema: GraphQLSchema,
  compileAfter: number,
  onCompile: (result: 'compiled' | 'declined') => void = () => undefined,
): Gateway {
  const compilations = new WeakMap<DocumentNode, Map<string | undefined, Compilation>>();

  const compiledFor = (document: DocumentNode, operationName: string | undefined): CompiledQuery | null => {
    let operations = compilations.get(document);
    if (!operations) compilations.set(document, (operations = new Map()));
    const state = operations.get(operationName) ?? 0;
    if (typeof state !== 'number') return state;
    if (state + 1 < compileAfter) {
      operations.set(operationName, state + 1);
      return null;
    }
    const compiled = compileQuery(schema, document, operationName);
    const usable = isCompiledQuery(compiled) ? compiled : null;
    operations.set(operationName, usable);
    onCompile(usable ? 'compiled' : 'declined');
    return usable;
  };

  const interpreted = async (rc: GatewayRequest): Promise<ExecutionResult> =>
    execute({ schema, document: rc.document, contextValue: rc.context, variableValues: rc.request.variables, operationName: rc.operationName ?? undefined });

  const executor: Executor = async (rc) => {
    const compiled = compileAfter === 0 ? null : compiledFor(rc.document, rc.operationName ?? undefined);
    if (!compiled) return interpreted(rc);
    const result = await compiled.query(undefined, rc.context, rc.request.variables ?? {});
    if (result.errors && result.data === undefined) return interpreted(rc);
    return result.errors ? { ...result, errors: result.errors.map(upstreamError) } : result;
  };

  return {
    load: async () => ({ schema, executor }),
    onSchemaLoadOrUpdate: (callback) => {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    stop: async () => undefined,
  };
}

/**
 * graphql-jit's field errors as graphql-js's own: Apollo's plugins (graphql-armor's masking among
 * them) rewrite an error's message, which graphql-jit's errors hold read-only.
 */
function upstreamError(e: GraphQLError): GraphQLError {
  const error = new GraphQLError(e.message, { path: e.path, originalError: e.originalError ?? undefined, extensions: e.extensions });
  if (e.locations) Object.assign(error, { locations: e.locations });
  return error;
}
