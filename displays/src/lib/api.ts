import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import type { LiveLink } from './live-link';

/**
 * The screens' GraphQL client (urql): queries and mutations over HTTP with the screen's token,
 * subscriptions over the screen's graphql-ws link, so they share its connection state.
 */
export function createApiClient(token: string, link: LiveLink): Client {
  return new Client({
    url: '/graphql',
    requestPolicy: 'network-only',
    // POST for everything: the server's CSRF prevention refuses simple GET requests.
    preferGetMethod: false,
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}` } }),
    exchanges: [
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: link.subscribeRaw({ query: request.query ?? '', variables: request.variables ?? {} }, sink) }),
        }),
      }),
    ],
  });
}
