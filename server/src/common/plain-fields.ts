import { isObjectType, type GraphQLSchema } from 'graphql';
import { getMetadataStorage } from 'type-graphql';

/**
 * type-graphql gives every field of an object type a resolver, even a plain property with no
 * middleware or authorisation: it allocates and dispatches per field and per row, which a board
 * of 500 tickets pays some ten thousand times. Such a field does exactly what GraphQL's default
 * resolver does (read the property), so its resolver is dropped. A field keeps type-graphql's
 * resolver when it has a @FieldResolver, middleware or roles, when its schema name differs from
 * its property, or when the property is a method (the default resolver would call it). Runs on
 * the built schema, before the access and card guards wrap what they need.
 */
export function plainFieldResolvers(schema: GraphQLSchema): GraphQLSchema {
  const storage = getMetadataStorage();
  const resolved = new Set(storage.fieldResolvers.map((r) => `${r.getObjectType?.().name}.${r.methodName}`));
  for (const meta of storage.objectTypes) {
    const type = schema.getType(meta.name);
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    for (const f of meta.fields ?? []) {
      const field = fields[f.schemaName];
      if (!field?.resolve || f.name !== f.schemaName || f.middlewares?.length || f.roles) continue;
      if (resolved.has(`${meta.target.name}.${f.name}`)) continue;
      if (isMethod(meta.target.prototype as object, f.name)) continue;
      field.resolve = undefined;
    }
  }
  return schema;
}

function isMethod(proto: object | null, name: string): boolean {
  for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (d) return typeof d.value === 'function';
  }
  return false;
}
