import { createSourceEventStream, execute, Kind, print, type ExecutionArgs, type ExecutionResult, type OperationDefinitionNode } from 'graphql';

/**
 * Subscription execution shared across subscribers. graphql-js executes a subscription's
 * document once per subscriber per event; with a hundred kitchen screens on one station that is
 * a hundred identical executions of the same ticket. Here each subscriber keeps its own source
 * stream (so per-subscriber state such as a replay from a cursor is untouched), but the
 * execution of one event object for one group (same document, operation, variables and role)
 * runs once and every subscriber of the group gets the same result object.
 *
 * Sharing relies on two facts of this schema: a subscription's result depends on the caller's
 * role, never on who they are (field rules are by role); and a live event is delivered to every
 * local subscriber as the same object (a replayed one is read per subscriber and is not shared).
 */
export interface SharedSubscriptionOptions {
  /** The caller's role from the context (part of the group key); null turns sharing off for that subscriber. */
  role(contextValue: unknown): string | null;
  /**
   * Root-field arguments that only shape the source stream and never the result, e.g.
   * `kitchenEvents: ['since']` (where to replay from). Variables bound only to them are left
   * out of the group key, so screens resuming from different cursors still share live events.
   */
  sourceOnlyArgs?: Record<string, readonly string[]>;
}

export interface SharedSubscribe {
  (args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult>;
  /** How many executions ran and how many results were handed out (for tests and metrics). */
  readonly stats: { executions: number; results: number };
}

export function sharedSubscribe(opts: SharedSubscriptionOptions): SharedSubscribe {
  const shared = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();
  const stats = { executions: 0, results: 0 };
  const run = (args: ExecutionArgs, payload: unknown): Promise<ExecutionResult> => {
    stats.executions++;
    return Promise.resolve(execute({ ...args, rootValue: payload }));
  };
  const subscribe = async (args: ExecutionArgs) => {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source as ExecutionResult;
    const key = groupKey(args, opts);
    return mapEvents(source, (payload) => {
      stats.results++;
      if (key === null || payload === null || typeof payload !== 'object') return run(args, payload);
      let byGroup = shared.get(payload);
      if (!byGroup) shared.set(payload, (byGroup = new Map()));
      let result = byGroup.get(key);
      if (!result) byGroup.set(key, (result = run(args, payload)));
      return result;
    });
  };
  return Object.assign(subscribe, { stats });
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return x != null && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/** The group a subscriber belongs to, or null when it must not share. */
function groupKey(args: ExecutionArgs, opts: SharedSubscriptionOptions): string | null {
  const role = opts.role(args.contextValue);
  if (role === null) return null;
  const operation = args.document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!args.operationName || d.name?.value === args.operationName),
  );
  if (!operation) return null;
  const dropped = sourceOnlyVariables(operation, opts.sourceOnlyArgs ?? {});
  const variables = Object.entries(args.variableValues ?? {})
    .filter(([name]) => !dropped.has(name))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([role, print(operation), variables]);
}

/** Variables whose every use is a source-only argument of a root field. */
function sourceOnlyVariables(operation: OperationDefinitionNode, sourceOnlyArgs: Record<string, readonly string[]>): Set<string> {
  const uses = new Map<string, number>();
  const countUses = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if ((node as { kind?: string }).kind === Kind.VARIABLE) {
      const name = (node as { name: { value: string } }).name.value;
      uses.set(name, (uses.get(name) ?? 0) + 1);
      return;
    }
    for (const [k, v] of Object.entries(node)) {
      if (k === 'loc' || k === 'variableDefinitions') continue;
      if (Array.isArray(v)) v.forEach(countUses);
      else countUses(v);
    }
  };
  countUses(operation);
  const sourceUses = new Map<string, number>();
  for (const field of operation.selectionSet.selections) {
    if (field.kind !== Kind.FIELD) continue;
    const allowed = sourceOnlyArgs[field.name.value] ?? [];
    for (const arg of field.arguments ?? []) {
      if (allowed.includes(arg.name.value) && arg.value.kind === Kind.VARIABLE) {
        sourceUses.set(arg.value.name.value, (sourceUses.get(arg.value.name.value) ?? 0) + 1);
      }
    }
  }
  return new Set([...sourceUses].filter(([name, n]) => uses.get(name) === n).map(([name]) => name));
}

/** Maps a source stream to results; closing the results closes the source. */
function mapEvents<T>(source: AsyncIterable<T>, fn: (payload: T) => Promise<ExecutionResult>): AsyncGenerator<ExecutionResult> {
  const it = source[Symbol.asyncIterator]();
  const close = async () => {
    await it.return?.();
  };
  const mapped: AsyncGenerator<ExecutionResult> = {
    async next() {
      const r = await it.next();
      if (r.done) return { done: true, value: undefined };
      try {
        return { done: false, value: await fn(r.value) };
      } catch (err) {
        await close();
        throw err;
      }
    },
    async return() {
      await close();
      return { done: true, value: undefined };
    },
    async throw(err?: unknown) {
      await close();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return mapped;
}
