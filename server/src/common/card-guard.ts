import { defaultFieldResolver, isInputObjectType, isListType, isNonNullType, isObjectType, isScalarType, type GraphQLField, type GraphQLFieldResolver, type GraphQLInputType, type GraphQLSchema } from 'graphql';
import { AppError } from './errors.js';
import { containsCardNumber } from './money.js';

/**
 * Not free text: passwords are hashed on arrival, and SKUs are product codes, often 13-digit
 * EAN barcodes, one in ten of which passes Luhn.
 */
export const EXEMPT = new Set(['password', 'sku']);

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface InputProblem {
  path: string;
  problem: 'card' | 'id';
}

/**
 * The first problem in an argument's (coerced) value, walked along its type: a String holding a
 * card number, or an ID that is not a UUID (every ID this API hands out is one; anything else
 * names nothing and must not reach SQL, where PostgreSQL would refuse it as an internal error).
 * IDs are not searched for card numbers: a UUID's digit groups can pass Luhn by chance.
 */
export function findInputProblem(value: unknown, type: GraphQLInputType, path: string): InputProblem | null {
  if (value === null || value === undefined) return null;
  if (isNonNullType(type)) return findInputProblem(value, type.ofType, path);
  if (isListType(type)) {
    const items = Array.isArray(value) ? value : [value];
    for (let i = 0; i < items.length; i++) {
      const hit = findInputProblem(items[i], type.ofType, `${path}.${i}`);
      if (hit) return hit;
    }
    return null;
  }
  if (isScalarType(type)) {
    if (type.name === 'ID') return typeof value === 'string' && UUID.test(value) ? null : { path, problem: 'id' };
    // A UUID (an idempotency key, say) is not a card number, though its digit groups can pass Luhn.
    if (type.name === 'String' && typeof value === 'string' && !UUID.test(value) && containsCardNumber(value)) return { path, problem: 'card' };
    return null;
  }
  if (isInputObjectType(type) && typeof value === 'object') {
    for (const f of Object.values(type.getFields())) {
      if (EXEMPT.has(f.name)) continue;
      const hit = findInputProblem((value as Record<string, unknown>)[f.name], f.type, `${path}.${f.name}`);
      if (hit) return hit;
    }
  }
  return null;
}

/**
 * Text arguments are checked before any resolver sees them. Card data never enters: every field of the schema whose arguments can carry text refuses a
 * Luhn-valid run of 13 to 19 digits (money.ts containsCardNumber) with BAD_USER_INPUT, before its
 * resolver runs, so before anything is stored or logged. An ID that is not a UUID is refused the
 * same way (BAD_USER_INPUT) instead of failing in SQL. Applied to the built schema, so a new
 * operation or argument is covered without a line of its own.
 */
export function guardCardData(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
      if (!field.args.some((a) => !EXEMPT.has(a.name) && carriesText(a.type))) continue;
      const guard = (inner: GraphQLFieldResolver<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> => (source, args, context, info) => {
        for (const a of field.args) {
          if (EXEMPT.has(a.name)) continue;
          const hit = findInputProblem(args[a.name], a.type, a.name);
          if (hit?.problem === 'card') throw AppError.badInput(hit.path, 'looks like a card number; card numbers are never accepted (use the processor reference)');
          if (hit) throw AppError.badInput(hit.path, 'is not an id this API gave out');
        }
        return inner(source, args, context, info);
      };
      field.resolve = guard(field.resolve ?? defaultFieldResolver);
      if (field.subscribe) field.subscribe = guard(field.subscribe);
    }
  }
  return schema;
}
