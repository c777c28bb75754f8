import { createSourceEventStream, execute, Kind, print, type ExecutionArgs, type ExecutionResult, type OperationDefinitionNode } from 'graphql';

/**
 * What a source stream offers when it can hand over live events synchronously (the kitchen feed
 * does): `source[LIVE](take)` registers `take`, which the source calls with a live event instead
 * of resolving its pending next(), but only while next() is pending and nothing is queued before
 * the event (so order holds). `take` returns false to decline; the event then goes to next().
 */
export const LIVE = Symbol('live events');

export interface LiveSource {
  [LIVE](take: (payload: unknown) => boolean): void;
}

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
 *
 * With a frame sink for the subscriber (the transport's socket and the subscription's id), a
 * result without errors is also serialised once per group and written to the socket as the
 * protocol's `next` message directly, the group's JSON spliced into each subscriber's frame;
 * graphql-ws would otherwise build and stringify the whole message per subscriber. Results with
 * errors are handed to graphql-ws as before (its onNext hook formats them).
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
  /** Where the subscriber's frames can be written directly, or null to leave sending to the transport. */
  sink?(contextValue: unknown): FrameSink | null;
}

/** A subscriber's socket as the graphql-transport-ws protocol's `next` messages reach it. */
export interface FrameSink {
  /** The subscription's id in the protocol. */
  readonly id: string;
  /**
   * Writes one frame. May return a promise (the socket's buffer is full): the subscriber's next
   * event waits for it, as graphql-ws's own send makes it wait.
   */
  send(frame: string): Promise<void> | void;
  /** Called once per frame written (the transport's onNext is not called for these). */
  delivered(): void;
}

/** A result and, once a frame needed it, its JSON (shared by the group). */
interface Shared {
  result: ExecutionResult;
  json: string | null;
}

export interface SharedSubscribe {
  (args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult>;
  /** How many executions ran and how many results were handed out (for tests and metrics). */
  readonly stats: { executions: number; results: number; serialisations: number };
}

export function sharedSubscribe(opts: SharedSubscriptionOptions): SharedSubscribe {
  /** By event object, then group: the execution while it runs, then its result (no await for the rest of the group). */
  const shared = new WeakMap<object, Map<string, Shared | Promise<Shared>>>();
  const stats = { executions: 0, results: 0, serialisations: 0 };
  const run = (args: ExecutionArgs, payload: unknown): Shared | Promise<Shared> => {
    stats.executions++;
    const result = execute({ ...args, rootValue: payload });
    return isPromiseLike(result) ? Promise.resolve(result).then((r) => ({ result: r, json: null })) : { result, json: null };
  };
  const jsonOf = (s: Shared): string => {
    if (s.json === null) {
      stats.serialisations++;
      s.json = JSON.stringify(s.result);
    }
    return s.json;
  };
  const subscribe = async (args: ExecutionArgs) => {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source as ExecutionResult;
    const key = groupKey(args, opts);
    const shares = key !== null;
    const resultOf = (payload: unknown): Shared | Promise<Shared> => {
      if (!shares || payload === null || typeof payload !== 'object') return run(args, payload);
      let byGroup = shared.get(payload);
      if (!byGroup) shared.set(payload, (byGroup = new Map()));
      let result = byGroup.get(key);
      if (!result) {
        const group = byGroup;
        result = run(args, payload);
        group.set(key, result);
        if (result instanceof Promise) void result.then((done) => group.set(key, done), () => undefined);
      }
      return result;
    };
    const sink = opts.sink?.(args.contextValue) ?? null;
    if (!sink) {
      return mapEvents(source, async (payload) => {
        stats.results++;
        return (await resultOf(payload)).result;
      });
    }
    const head = `{"id":${JSON.stringify(sink.id)},"type":"next","payload":`;
    /** A frame is waiting for the socket: live events take the ordered path through next() until it is written. */
    let blocked = false;
    const write = (s: Shared): Promise<void> | void => {
      stats.results++;
      const written = sink.send(`${head}${jsonOf(s)}}`);
      sink.delivered();
      return written;
    };
    const deliver = (s: Shared): ExecutionResult | typeof SENT | Promise<typeof SENT> => {
      if (s.result.errors?.length) {
        stats.results++;
        return s.result;
      }
      const written = write(s);
      return written ? written.then(() => SENT) : SENT;
    };
    // Live events whose group result is ready are written as they arrive, with no promise per
    // subscriber; anything else (the group's first execution still running, errors, a full
    // socket) goes through next() in order.
    if (shares && isLiveSource(source)) {
      source[LIVE]((payload) => {
        if (blocked || payload === null || typeof payload !== 'object') return false;
        const s = resultOf(payload);
        if (s instanceof Promise || s.result.errors?.length) return false;
        const written = write(s);
        if (written) {
          blocked = true;
          const unblock = () => (blocked = false);
          written.then(unblock, unblock);
        }
        return true;
      });
    }
    return mapEvents(source, (payload) => {
      const s = resultOf(payload);
      return s instanceof Promise ? s.then(deliver) : deliver(s);
    });
  };
  return Object.assign(subscribe, { stats });
}

/** What a mapping returns for an event it delivered itself: nothing for the transport to send. */
const SENT = Symbol('sent');

function isPromiseLike<T>(x: T | PromiseLike<T>): x is PromiseLike<T> {
  return typeof (x as PromiseLike<T> | null)?.then === 'function';
}

function isLiveSource(x: unknown): x is LiveSource {
  return x != null && typeof (x as Partial<LiveSource>)[LIVE] === 'function';
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
  let text = printed.get(operation);
  if (text === undefined) printed.set(operation, (text = print(operation)));
  return JSON.stringify([role, text, variables]);
}

/** Operations as text, by node: subscribers of the same text share the parsed document (see operationChecker). */
const printed = new WeakMap<OperationDefinitionNode, string>();

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

/**
 * Maps a source stream to results; closing the results closes the source. An event the mapping
 * delivered itself (SENT) yields nothing: next() goes on to the following event.
 */
function mapEvents<T>(
  source: AsyncIterable<T>,
  fn: (payload: T) => ExecutionResult | typeof SENT | Promise<ExecutionResult | typeof SENT>,
): AsyncGenerator<ExecutionResult> {
  const it = source[Symbol.asyncIterator]();
  let closed = false;
  const close = async () => {
    closed = true;
    await it.return?.();
  };
  const mapped: AsyncGenerator<ExecutionResult> = {
    async next() {
      while (!closed) {
        const r = await it.next();
        if (r.done || closed) break;
        let out: ExecutionResult | typeof SENT;
        try {
          const mapped = fn(r.value);
          out = mapped instanceof Promise ? await mapped : mapped;
        } catch (err) {
          await close();
          throw err;
        }
        if (out !== SENT) return { done: false, value: out };
      }
      return { done: true, value: undefined };
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
