import { describe, expect, it } from 'vitest';
import { GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from 'graphql';
import { MessageType, stringifyMessage } from 'graphql-ws';
import { LIVE, sharedSubscribe, type FrameSink } from './shared-subscriptions.js';

/**
 * A tiny schema: a live feed where every listener gets the same event object, and a replay read
 * per subscriber. With `live`, the feed also hands live events to a synchronous taker (LIVE)
 * while a next() waits with nothing queued, as the kitchen feed does.
 */
function fixture({ live = false } = {}) {
  const listeners = new Set<(e: object) => void>();
  let executions = 0;
  const Ticket = new GraphQLObjectType({
    name: 'Ticket',
    fields: {
      id: { type: GraphQLString },
      note: {
        type: GraphQLString,
        resolve: (t: { id: string }, _args, ctx: { role: string }) => {
          executions++;
          if (t.id === 'bad') throw new Error('no note for this ticket');
          return ctx.role === 'MANAGER' ? `note for ${t.id}` : null;
        },
      },
    },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        events: {
          type: Ticket,
          args: { station: { type: GraphQLString }, since: { type: GraphQLString } },
          resolve: (e: object) => e,
          subscribe: (_root, args: { since?: string }) => {
            const queue: object[] = args.since ? [{ id: `replayed-after-${args.since}` }] : [];
            let wake: (() => void) | null = null;
            let ended = false;
            let waiting = false;
            let taker: ((payload: unknown) => boolean) | null = null;
            const listener = (e: object) => {
              if (waiting && !queue.length && taker?.(e)) return;
              queue.push(e);
              wake?.();
            };
            listeners.add(listener);
            return {
              ...(live ? { [LIVE]: (take: (payload: unknown) => boolean) => (taker = take) } : {}),
              [Symbol.asyncIterator]() {
                return this;
              },
              async next() {
                while (!queue.length && !ended) {
                  waiting = true;
                  await new Promise<void>((r) => (wake = r));
                  waiting = false;
                }
                return ended ? { done: true, value: undefined } : { done: false, value: queue.shift()! };
              },
              async return() {
                ended = true;
                wake?.();
                listeners.delete(listener);
                return { done: true, value: undefined };
              },
            };
          },
        },
      },
    }),
  });
  return { schema, listeners, emit: (e: object) => listeners.forEach((l) => l(e)), executions: () => executions };
}

const DOC = parse('subscription($station: String, $since: String) { events(station: $station, since: $since) { id note } }');

async function open(
  f: ReturnType<typeof fixture>,
  subscribe: ReturnType<typeof sharedSubscribe>,
  role: string,
  variables: Record<string, unknown>,
  contextValue: object = { role },
) {
  const it = (await subscribe({ schema: f.schema, document: DOC, variableValues: variables, contextValue })) as AsyncGenerator<ExecutionResult>;
  return it;
}

/** A subscriber's socket as a list of the frames written to it; `full` makes every write one to wait for. */
function recordingSink(id: string, full = false): FrameSink & { frames: string[]; count: number } {
  const sink = {
    id,
    frames: [] as string[],
    count: 0,
    send: (frame: string) => {
      sink.frames.push(frame);
      return full ? new Promise<void>((r) => setTimeout(r, 1)) : undefined;
    },
    delivered: () => {
      sink.count++;
    },
  };
  return sink;
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('sharedSubscribe', () => {
  it('executes a live event once per group of document, variables and role, whatever cursor each subscriber resumed from', async () => {
    const f = fixture();
    const subscribe = sharedSubscribe({ role: (ctx) => (ctx as { role: string }).role, sourceOnlyArgs: { events: ['since'] } });
    const fresh = await open(f, subscribe, 'KITCHEN', { station: 'grill' });
    const resumedA = await open(f, subscribe, 'KITCHEN', { station: 'grill', since: '7' });
    const resumedB = await open(f, subscribe, 'KITCHEN', { station: 'grill', since: '9' });
    // Replays are read per subscriber and executed per subscriber.
    expect((await resumedA.next()).value.data).toEqual({ events: { id: 'replayed-after-7', note: null } });
    expect((await resumedB.next()).value.data).toEqual({ events: { id: 'replayed-after-9', note: null } });
    expect(f.executions()).toBe(2);

    const pending = [fresh.next(), resumedA.next(), resumedB.next()];
    f.emit({ id: 't1' });
    const results = (await Promise.all(pending)).map((r) => r.value);
    expect(results[0].data).toEqual({ events: { id: 't1', note: null } });
    expect(results[1]).toBe(results[0]);
    expect(results[2]).toBe(results[0]);
    expect(f.executions()).toBe(3);
    expect(subscribe.stats).toEqual({ executions: 3, results: 5, serialisations: 0 });
  });

  it('keeps roles and result-shaping variables apart', async () => {
    const f = fixture();
    const subscribe = sharedSubscribe({ role: (ctx) => (ctx as { role: string }).role, sourceOnlyArgs: { events: ['since'] } });
    const kitchen = await open(f, subscribe, 'KITCHEN', { station: 'grill' });
    const manager = await open(f, subscribe, 'MANAGER', { station: 'grill' });
    const otherStation = await open(f, subscribe, 'KITCHEN', { station: 'fry' });
    const pending = [kitchen.next(), manager.next(), otherStation.next()];
    f.emit({ id: 't2' });
    const [k, m, o] = (await Promise.all(pending)).map((r) => r.value);
    expect(k.data.events.note).toBeNull();
    expect(m.data.events.note).toBe('note for t2');
    expect(o).not.toBe(k);
    expect(f.executions()).toBe(3);
  });

  it('does not share without a role, and closing a subscriber closes its source', async () => {
    const f = fixture();
    const subscribe = sharedSubscribe({ role: () => null });
    const a = await open(f, subscribe, 'KITCHEN', {});
    const b = await open(f, subscribe, 'KITCHEN', {});
    const pending = [a.next(), b.next()];
    f.emit({ id: 't3' });
    const [ra, rb] = (await Promise.all(pending)).map((r) => r.value);
    expect(ra).toEqual(rb);
    expect(ra).not.toBe(rb);
    expect(f.executions()).toBe(2);
    expect(f.listeners.size).toBe(2);
    await a.return(undefined);
    expect(f.listeners.size).toBe(1);
  });

  it('with a frame sink, writes each result as the protocol\'s next message, serialised once per group', async () => {
    const f = fixture();
    const sinks = new Map<object, FrameSink>();
    const subscribe = sharedSubscribe({ role: (ctx) => (ctx as { role: string }).role, sink: (ctx) => sinks.get(ctx as object) ?? null });
    const subscriber = async (role: string, id: string, full = false) => {
      const context = { role };
      const sink = recordingSink(id, full);
      sinks.set(context, sink);
      const it = await open(f, subscribe, role, { station: 'grill' }, context);
      return { it, sink, next: it.next() };
    };
    const kitchen = await Promise.all([subscriber('KITCHEN', 'a'), subscriber('KITCHEN', 'b"2'), subscriber('KITCHEN', 'c', true)]);
    const manager = await subscriber('MANAGER', 'm');
    f.emit({ id: 't4' });
    f.emit({ id: 't5' });
    for (let i = 0; i < 100 && [...kitchen, manager].some((x) => x.sink.frames.length < 2); i++) await tick();
    // Exactly what graphql-ws would have sent, in order, per subscriber.
    for (const { sink } of kitchen) {
      expect(sink.frames).toEqual(['t4', 't5'].map((id) => stringifyMessage({ id: sink.id, type: MessageType.Next, payload: { data: { events: { id, note: null } } } })));
      expect(sink.count).toBe(2);
    }
    expect(manager.sink.frames.map((fr) => JSON.parse(fr).payload.data.events.note)).toEqual(['note for t4', 'note for t5']);
    // Two events, two groups: four executions and four serialisations for eight frames.
    expect(subscribe.stats).toMatchObject({ executions: 4, serialisations: 4 });

    // A result with errors goes to the transport (which formats errors) and the order holds.
    f.emit({ id: 'bad' });
    f.emit({ id: 't6' });
    const withErrors = await kitchen[0]!.next;
    expect(withErrors.done).toBe(false);
    expect(withErrors.value.errors?.[0]?.message).toBe('no note for this ticket');
    expect(kitchen[0]!.sink.frames).toHaveLength(2);
    const after = kitchen[0]!.it.next();
    for (let i = 0; i < 100 && kitchen[0]!.sink.frames.length < 3; i++) await tick();
    expect(JSON.parse(kitchen[0]!.sink.frames[2]!).payload.data.events.id).toBe('t6');

    // Closing ends the pending next() and the source.
    const listening = f.listeners.size;
    await kitchen[0]!.it.return(undefined);
    expect(await after).toEqual({ done: true, value: undefined });
    expect(f.listeners.size).toBe(listening - 1);
  });

  it('with a source that hands over live events, writes each frame as the event arrives and keeps order when it cannot', async () => {
    const f = fixture({ live: true });
    const sinks = new Map<object, FrameSink>();
    const subscribe = sharedSubscribe({ role: (ctx) => (ctx as { role: string }).role, sink: (ctx) => sinks.get(ctx as object) ?? null });
    const subscriber = async (id: string, full = false) => {
      const context = { role: 'KITCHEN' };
      const sink = recordingSink(id, full);
      sinks.set(context, sink);
      const it = await open(f, subscribe, 'KITCHEN', { station: 'grill' }, context);
      return { it, sink, next: it.next() };
    };
    const [a, b] = await Promise.all([subscriber('a'), subscriber('b')]);
    await tick(); // both are waiting in next()
    f.emit({ id: 't7' });
    // Written during emit itself: no promise, no tick.
    const ids = (x: { sink: { frames: string[] } }) => x.sink.frames.map((fr) => JSON.parse(fr).payload.data.events.id);
    expect(ids(a)).toEqual(['t7']);
    expect(ids(b)).toEqual(['t7']);
    expect(subscribe.stats).toMatchObject({ executions: 1, results: 2, serialisations: 1 });

    // An event with errors is declined and reaches the transport through next(); the next one follows it.
    f.emit({ id: 'bad' });
    f.emit({ id: 't8' });
    const r = await a.next;
    expect(r.value.errors?.[0]?.message).toBe('no note for this ticket');
    expect(ids(a)).toEqual(['t7']);
    const afterBad = a.it.next();
    for (let i = 0; i < 100 && ids(a).length < 2; i++) await tick();
    expect(ids(a)).toEqual(['t7', 't8']);

    // A socket that is full: the frame is written, and later events wait their turn through next().
    const c = await subscriber('c', true);
    await tick();
    f.emit({ id: 't9' });
    f.emit({ id: 't10' });
    f.emit({ id: 't11' });
    expect(ids(c)).toEqual(['t9']);
    for (let i = 0; i < 100 && ids(c).length < 3; i++) await tick();
    expect(ids(c)).toEqual(['t9', 't10', 't11']);
    await Promise.all([a.it.return(undefined), b.it.return(undefined), c.it.return(undefined)]);
    expect(await afterBad).toEqual({ done: true, value: undefined });
    expect(f.listeners.size).toBe(0);
  });
});
