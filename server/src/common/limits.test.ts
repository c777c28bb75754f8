import { describe, expect, it } from 'vitest';
import { GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { operationChecker, protection } from './limits.js';

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { a: { type: GraphQLString }, b: { type: GraphQLString } } }),
});

describe('operationChecker', () => {
  it('parses and validates a text once: the same text gets the same document', () => {
    const check = operationChecker(schema, protection().validationRules);
    const first = check('{ a }');
    const again = check('{ a }');
    expect('document' in first && 'document' in again).toBe(true);
    expect(again).toBe(first);
    expect(check('{ b }')).not.toBe(first);
  });

  it('remembers no refused operation and forgets the least recently used past its size', () => {
    const check = operationChecker(schema, protection().validationRules, 2);
    const refused = check('{ nope }');
    expect('errors' in refused && refused.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(check('{ nope }')).not.toBe(refused);
    const a = check('{ a }');
    const b0 = check('{ b }');
    expect(check('{ a }')).toBe(a); // used again: now the most recent
    check('{ a b }'); // evicts '{ b }'
    expect(check('{ a }')).toBe(a);
    const b = check('{ b }');
    expect(b).not.toBe(b0); // it had been forgotten
    expect(check('{ b }')).toBe(b);
    expect(check('{ a }')).toBe(a);
    expect('errors' in check('{')).toBe(true);
  });
});
