import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from './context.js';

/**
 * One structured log line per GraphQL request: operation, duration, outcome codes.
 * Variables are never logged (they may hold passwords or personal data).
 */
export function requestLogPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operationName, response, errors }) {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          // The formatted errors carry the contract's codes; the raw ones only for request-level failures.
          const formatted = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const codes = (formatted?.length ? formatted : errors)?.map((e) => e.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
          const status = response.http.status ?? 200;
          // No context when authentication failed before execution; Apollo logs nothing then either.
          (contextValue as RequestContext | undefined)?.log.info(
            { operation: operationName ?? null, ms: Math.round(ms * 10) / 10, status, errors: codes?.length ? codes : undefined, actor: contextValue.actor?.role },
            'graphql request',
          );
        },
      };
    },
  };
}
