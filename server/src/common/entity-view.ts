/** Per entity class: a prototype under it that hides MikroORM's setters behind plain writable slots. */
const viewPrototypes = new WeakMap<object, object>();

function viewPrototype(proto: object): object {
  let view = viewPrototypes.get(proto);
  if (view) return view;
  view = Object.create(proto) as object;
  for (let p: object | null = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(p))) {
      // MikroORM's property setters have no getter; the class's own getters (e.g. orderId) stay visible.
      if (d.set && !d.get && !Object.prototype.hasOwnProperty.call(view, name)) {
        Object.defineProperty(view, name, { value: undefined, writable: true, enumerable: false, configurable: true });
      }
    }
  }
  viewPrototypes.set(proto, view);
  return view;
}

/**
 * An instance of an entity class holding `data` as plain own properties, for read-only views
 * (a cached profile, a board row): no constructor (it draws UUIDs and dates for defaults) and
 * none of MikroORM's prototype setters, which give each instance an entity helper and turn its
 * fields into accessors on first write. `instanceof`, getters and methods of the class still work.
 */
export function entityView<T extends object>(cls: { prototype: T }, data: Record<string, unknown>): T {
  return Object.assign(Object.create(viewPrototype(cls.prototype)) as T, data);
}
