import { defaultFieldResolver, isInputObjectType, isListType, isNonNullType, isObjectType, isScalarType, type GraphQLField, type GraphQLFieldResolver, type GraphQLInputType, type GraphQLSchema } from 'graphql';
import { AppError } from './errors.js';
import { containsCardNumber } from './money.js';

/** Arguments never stored or logged as given (hashed on arrival), and so not refused for their content. */
const EXEMPT = new Set(['password']);

/** Whether a value of this input type can carry text (a String, an ID, or an input or list holding one). */
function carriesText(type: GraphQLInputType, seen = new Set<string>()): boolean {
  if (isNonNullType(type) || isListType(type)) return carriesText(type.ofType, seen);
  if (isScalarType(type)) return type.name === 'String' || type.name === 'ID';
  if (isInputObjectType(type)) {
    if (seen.has(type.name)) return false;
    seen.add(type.name);
    return Object.values(type.getFields()).some((f) => carriesText(f.type, seen));
  }
  return false;
}

/** The path of the first string in the (coerced) arguments that holds a card number, if any. */
export function findCardNumber(value: unknown, path: string): string | null {
  if (typeof value === 'string') return containsCardNumber(value) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findCardNumber(value[i], `${path}.${i}`);
      if (hit) return hit;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (EXEMPT.has(k)) continue;
      const hit = findCardNumber(v, path ? `${path}.${k}` : k);
      if (hit) return hit;
    }
  }
  return null;
}

/**
 * Card data never enters: every field of the schema whose arguments can carry text refuses a
 * Luhn-valid run of 13 to 19 digits (money.ts containsCardNumber) with BAD_USER_INPUT, before its
 * resolver runs, so before anything is stored or logged. Applied to the built schema, so a new
 * operation or argument is covered without a line of its own.
 */
export function guardCardData(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
      if (!field.args.some((a) => !EXEMPT.has(a.name) && carriesText(a.type))) continue;
      const guard = (inner: GraphQLFieldResolver<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> => (source, args, context, info) => {
        const at = findCardNumber(args, '');
        if (at) throw AppError.badInput(at, 'looks like a card number; card numbers are never accepted (use the processor reference)');
        return inner(source, args, context, info);
      };
      field.resolve = guard(field.resolve ?? defaultFieldResolver);
      if (field.subscribe) field.subscribe = guard(field.subscribe);
    }
  }
  return schema;
}
