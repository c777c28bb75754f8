import type { ContainerType } from 'type-graphql';

/**
 * The composition root hands type-graphql ready-made resolver instances: no global
 * singletons, so tests can build several apps side by side in one process.
 */
export class ResolverContainer implements ContainerType {
  private readonly instances = new Map<Function, unknown>();

  register<T extends object>(instance: T): this {
    this.instances.set(instance.constructor, instance);
    return this;
  }

  get(someClass: Function): unknown {
    const instance = this.instances.get(someClass);
    if (!instance) throw new Error(`No resolver instance registered for ${someClass.name}`);
    return instance;
  }
}
