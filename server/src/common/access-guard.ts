import { defaultFieldResolver, isObjectType, type GraphQLField, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { decide, FIELDS, OPEN, OPERATIONS, type FieldRule, type OperationRule } from './access.js';
import type { RequestContext } from './context.js';
import { AppError, ErrorCode } from './errors.js';

const ROOTS = ['Query', 'Mutation', 'Subscription'] as const;

/** Coordinates the schema serves without a rule, and rules for coordinates it does not serve. */
export function accessGaps(schema: GraphQLSchema): { missing: string[]; stale: string[] } {
  const served = new Set<string>();
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const root = (ROOTS as readonly string[]).includes(type.name);
    for (const field of Object.keys(type.getFields())) {
      const coordinate = `${type.name}.${field}`;
      served.add(coordinate);
      const ruled = root ? OPERATIONS[coordinate] !== undefined : FIELDS[type.name]?.[field] !== undefined;
      if (!ruled) missing.push(coordinate);
    }
  }
  const listed = [
    ...Object.keys(OPERATIONS),
    ...Object.entries(FIELDS).flatMap(([type, fields]) => Object.keys(fields).map((f) => `${type}.${f}`)),
  ];
  return { missing, stale: listed.filter((c) => !served.has(c)) };
}

function check(rule: OperationRule | FieldRule, context: RequestContext | undefined): void {
  const decision = decide(rule, context?.actor ?? null);
  if (decision === 'UNAUTHENTICATED') throw new AppError(ErrorCode.UNAUTHENTICATED, 'Authentication required');
  if (decision === 'FORBIDDEN') throw new AppError(ErrorCode.FORBIDDEN, 'Not allowed for your role');
}

function guard<TArgs>(rule: OperationRule | FieldRule, inner: GraphQLFieldResolver<unknown, RequestContext, TArgs>): GraphQLFieldResolver<unknown, RequestContext, TArgs> {
  return (source, args, context, info) => {
    check(rule, context);
    return inner(source, args, context, info);
  };
}

/**
 * Puts the matrix in front of the resolvers of the built schema: every operation's resolve (and
 * a subscription's subscribe, so nothing is set up for a caller who may not) and every restricted
 * field. Open fields are left untouched (no cost on the hot path). Throws when the matrix and
 * the schema disagree, so a new operation or field cannot be served without a rule.
 */
export function enforceAccess(schema: GraphQLSchema): GraphQLSchema {
  const { missing, stale } = accessGaps(schema);
  if (missing.length || stale.length) {
    throw new Error(
      `The access matrix (common/access.ts) does not match the schema (deny by default).` +
        (missing.length ? ` Without a rule: ${missing.join(', ')}.` : '') +
        (stale.length ? ` Rules for nothing served: ${stale.join(', ')}.` : ''),
    );
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const root = (ROOTS as readonly string[]).includes(type.name);
    for (const [name, field] of Object.entries(type.getFields()) as [string, GraphQLField<unknown, RequestContext>][]) {
      const rule = root ? OPERATIONS[`${type.name}.${name}`]! : FIELDS[type.name]![name]!;
      if (rule === OPEN) continue;
      field.resolve = guard(rule, field.resolve ?? (defaultFieldResolver as GraphQLFieldResolver<unknown, RequestContext>));
      if (field.subscribe) field.subscribe = guard(rule, field.subscribe);
    }
  }
  return schema;
}
