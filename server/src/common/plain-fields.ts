import { isObjectType, type GraphQLSchema } from 'graphql';
import { getMetadataStorage } from 'type-graphql';

/**
 * type-graphql gives every field of an object type a resolver, even a plain property with no
 * middleware or authorisation: it allocates and dispatches per field and per row, which a board
 * of 500 tickets pays some ten thousand times. Such a field does exactly what GraphQL's default
 * resolver does (read the property), so its resolver is dropped. A field keeps type-graphql's
 * resolver when it has a @FieldResolver, middleware or roles, when its schema name differs from
 * its property, or when the property is a method (the default resolver would call it); a getter
 * keeps it only for sources that lack the property (see below). Runs on the built schema,
 * before the access and card guards wrap what they need.
 */
export function plainFieldResolvers(schema: GraphQLSchema): GraphQLSchema {
  const storage = getMetadataStorage();
  // @FieldResolver methods of resolver classes ('external'); a class's own getters and methods are 'internal'.
  const resolved = new Set(storage.fieldResolvers.filter((r) => r.kind === 'external').map((r) => `${r.getObjectType?.().name}.${r.methodName}`));
  for (const meta of storage.objectTypes) {
    const type = schema.getType(meta.name);
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    for (const f of meta.fields ?? []) {
      const field = fields[f.schemaName];
      if (!field?.resolve || f.name !== f.schemaName || f.middlewares?.length || f.roles) continue;
      if (resolved.has(`${meta.target.name}.${f.name}`)) continue;
      const kind = memberKind(meta.target.prototype as object, f.name);
      if (kind === 'method') continue;
      if (kind === 'getter') {
        // A getter needs an instance of the class; type-graphql makes one from a plain object
        // (with the class's constructor). A source that has the value already (an instance,
        // or a read model with the property as its own) is read directly.
        const instanceResolve = field.resolve;
        const name = f.name;
        field.resolve = (source, args, context, info) =>
          source !== null && typeof source === 'object' && name in source ? (source as Record<string, unknown>)[name] : instanceResolve(source, args, context, info);
        continue;
      }
      field.resolve = undefined;
    }
  }
  return schema;
}

function memberKind(proto: object | null, name: string): 'method' | 'getter' | 'data' {
  for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (d) return typeof d.value === 'function' ? 'method' : d.get ? 'getter' : 'data';
  }
  return 'data';
}
