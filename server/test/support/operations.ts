import { randomUUID } from 'node:crypto';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';

export type RootKind = 'Query' | 'Mutation' | 'Subscription';

export interface Operation {
  kind: RootKind;
  field: string;
  coordinate: string;
  document: string;
  variables: Record<string, unknown>;
}

/** A value of the input type that GraphQL accepts (what the resolver then makes of it is another matter). */
export function sampleValue(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType);
  if (isListType(type)) return [sampleValue(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) {
      if (isNonNullType(f.type) && f.defaultValue === undefined) out[f.name] = sampleValue(f.type);
    }
    return out;
  }
  switch (type.name) {
    case 'ID':
      return randomUUID();
    case 'Int':
    case 'Float':
      return 1;
    case 'Boolean':
      return false;
    case 'DateTime':
      return new Date().toISOString();
    case 'JSONObject':
      return {};
    default:
      return `sample-${randomUUID().slice(0, 8)}`;
  }
}

const required = (a: GraphQLArgument) => isNonNullType(a.type) && a.defaultValue === undefined;

/** A document calling one root field with its required arguments as variables, selecting __typename. */
export function operationFor(kind: RootKind, field: GraphQLField<unknown, unknown>, values: (arg: GraphQLArgument) => unknown = (a) => sampleValue(a.type)): Operation {
  const args = field.args.filter(required);
  const decl = args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const call = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
  const document = `${kind.toLowerCase()}${decl ? `(${decl})` : ''} { ${field.name}${call ? `(${call})` : ''}${selection} }`;
  return { kind, field: field.name, coordinate: `${kind}.${field.name}`, document, variables: Object.fromEntries(args.map((a) => [a.name, values(a)])) };
}

/** Every query, mutation and subscription of the schema. */
export function allOperations(schema: GraphQLSchema): Operation[] {
  const out: Operation[] = [];
  for (const kind of ['Query', 'Mutation', 'Subscription'] as const) {
    const type = schema.getType(kind);
    if (!type || !isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) out.push(operationFor(kind, field));
  }
  return out;
}
