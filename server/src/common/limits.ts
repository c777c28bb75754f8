import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { ErrorCode } from './errors.js';
import { scrubText } from '../infra/redact.js';

/**
 * Limits every operation must stay within, on HTTP and websockets alike (graphql-armor). The
 * deepest real screen query (a guest's orders with their lines' menu items) is depth 6 and costs
 * about 5 000 in graphql-armor's model (objects 2, scalars 1, x1.5 per level of depth).
 */
export const LIMITS = { depth: 12, cost: 50_000, aliases: 15, directives: 10, tokens: 2_000 } as const;

export interface Protection {
  /** Apollo plugins (typed loosely: the armor package sees Apollo's CommonJS types). */
  plugins: unknown[];
  validationRules: ValidationRule[];
}

export function protection(): Protection {
  const { plugins, validationRules } = new ApolloArmor({
    maxDepth: { n: LIMITS.depth },
    costLimit: { maxCost: LIMITS.cost },
    maxAliases: { n: LIMITS.aliases },
    maxDirectives: { n: LIMITS.directives },
    // Tokens are limited by the parser itself (Apollo's parseOptions, and checkOperation below):
    // armor's token plugin throws from a plugin hook, which Apollo answers with a 500.
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: true },
  }).protect();
  return { plugins, validationRules };
}

/**
 * The same checks for a websocket operation: parse within the token limit, validate with the
 * standard rules plus the limits. Returns the errors (as BAD_USER_INPUT), or the document.
 */
export function checkOperation(schema: GraphQLSchema, query: unknown, rules: readonly ValidationRule[]): { errors: GraphQLError[] } | { document: DocumentNode } {
  let document: DocumentNode;
  try {
    document = parse(typeof query === 'string' ? query : '', { maxTokens: LIMITS.tokens });
  } catch (err) {
    return { errors: [new GraphQLError(scrubText((err as Error).message), { extensions: { code: ErrorCode.BAD_USER_INPUT } })] };
  }
  const errors = validate(schema, document, [...specifiedRules, ...rules]);
  return errors.length ? { errors: errors.map((e) => new GraphQLError(scrubText(e.message), { extensions: { code: ErrorCode.BAD_USER_INPUT } })) } : { document };
}

/**
 * checkOperation with the documents that passed remembered by their text (at most `size`, the
 * least recently used dropped first): a thousand kitchen screens send the same subscription, so
 * it is parsed and validated once and every subscriber executes the same document.
 */
export function operationChecker(schema: GraphQLSchema, rules: readonly ValidationRule[], size = 256): (query: unknown) => ReturnType<typeof checkOperation> {
  const passed = new Map<string, { document: DocumentNode }>();
  return (query) => {
    const known = typeof query === 'string' ? passed.get(query) : undefined;
    if (known) {
      passed.delete(query as string);
      passed.set(query as string, known);
      return known;
    }
    const checked = checkOperation(schema, query, rules);
    if ('document' in checked) {
      passed.set(query as string, checked);
      if (passed.size > size) passed.delete(passed.keys().next().value!);
    }
    return checked;
  };
}

/**
 * Subscriptions are served over graphql-ws only: over HTTP, Apollo would run one as a query with
 * no event (an internal error). Refused as the client's mistake instead.
 */
export function noHttpSubscriptions(): { requestDidStart(): Promise<{ didResolveOperation(ctx: { operation?: { operation: string } | null }): Promise<void> }> } {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation === 'subscription') {
            throw new GraphQLError('Subscriptions are served over graphql-ws (the same URL, ws://)', {
              extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
