import { describe, expect, it } from 'vitest';
import { GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from 'graphql';
import { sharedSubscribe } from './shared-subscriptions.js';

/** A tiny schema: a live feed where every listener gets the same event object, and a replay read per subscriber. */
function fixture() {
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
            const listener = (e: object) => {
              queue.push(e);
              wake?.();
            };
            listeners.add(listener);
            return {
              [Symbol.asyncIterator]() {
                return this;
              },
              async next() {
                while (!queue.length) await new Promise<void>((r) => (wake = r));
                return { done: false, value: queue.shift()! };
              },
              async return() {
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

async function open(f: ReturnType<typeof fixture>, subscribe: ReturnType<typeof sharedSubscribe>, role: string, variables: Record<string, unknown>) {
  const it = (await subscribe({ schema: f.schema, document: DOC, variableValues: variables, contextValue: { role } })) as AsyncGenerator<ExecutionResult>;
  return it;
}

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
    expect(subscribe.stats).toEqual({ executions: 3, results: 5 });
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
});
