import { execute, GraphQLObjectType, GraphQLSchema, parse } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { describe, expect, it } from 'vitest';
import { createEventBus } from '../infra/pubsub.js';
import { buildAppSchema } from '../schema.js';
import { DateTimeScalar } from './date-time.js';

describe('DateTimeScalar', () => {
  it('is graphql-scalars DateTime on the schema: same name, description and parsing', () => {
    expect(DateTimeScalar.name).toBe('DateTime');
    expect(DateTimeScalar.description).toBe(DateTimeResolver.description);
    expect(DateTimeScalar.parseValue('2026-11-26T04:14:49.444Z')).toEqual(new Date('2026-11-26T04:14:49.444Z'));
    expect(() => DateTimeScalar.parseValue('yesterday')).toThrow(/invalid date-time/);
  });

  it('answers the ISO string, the same text JSON.stringify wrote for the Date', () => {
    const at = new Date('2026-11-26T04:14:49.444Z');
    expect(DateTimeScalar.serialize(at)).toBe('2026-11-26T04:14:49.444Z');
    expect(JSON.stringify({ at: DateTimeScalar.serialize(at) })).toBe(JSON.stringify({ at }));
    expect(DateTimeScalar.serialize('2026-11-26T05:14:49.444+01:00')).toBe('2026-11-26T04:14:49.444Z');
    expect(() => DateTimeScalar.serialize(new Date('nope'))).toThrow(/invalid Date/);
  });

  it('passes text already in that form through, and still checks and normalises any other text', () => {
    const text = '2026-11-26T04:14:49.444Z';
    expect(DateTimeScalar.serialize(text)).toBe(text);
    expect(DateTimeScalar.serialize('2026-11-26T04:14:49Z')).toBe('2026-11-26T04:14:49.000Z');
    expect(() => DateTimeScalar.serialize('2026-13-26T04:14:49.444Z')).toThrow(/invalid date-time/);
    expect(() => DateTimeScalar.serialize('2026-11-26 04:14:49.444Z')).toThrow(/invalid date-time/);
  });

  it('is the scalar the app schema serves, so no Date is left in an execution result', async () => {
    const schema = await buildAppSchema({ pubSub: createEventBus() });
    expect(schema.getType('DateTime')).toBe(DateTimeScalar);
    const ticket = schema.getType('KitchenTicket') as GraphQLObjectType;
    const result = await execute({
      schema: new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: { at: { type: ticket.getFields().createdAt!.type } } }) }),
      document: parse('{ at }'),
      rootValue: { at: new Date(0) },
    });
    expect(result.data).toEqual({ at: '1970-01-01T00:00:00.000Z' });
  });
});
