/**
 * A request schema built on first use, not when its module loads.
 *
 * Every route group's function imports the schemas of all its routes, and zod builds a schema when
 * its expression runs: a whole group's worth at each cold start (~20 ms of the review function's
 * init, docs/benchmarks.md, coldStart), though a container may serve one route of the group. A schema
 * written `lazySchema(() => z.object(…))` is built the first time anything reads it — a route's
 * validation, another schema that embeds it, the OpenAPI generator — and that one instance is used
 * from then on; only the schemas a request needs are built, once per container.
 *
 * It is the schema itself to every reader (its type is the built schema's; methods, `_zod`,
 * `instanceof` and spreading all reach the one built instance), so `.check()`, `z.infer` and schemas
 * embedding it read as they would read the schema. Only what keys schemas by identity (zod's
 * registries, where `z.meta()` files a schema's metadata) needs the built instance: {@link builtSchema}.
 */
export function lazySchema<T extends object>(build: () => T): T {
  let built: T | undefined;
  const schema = (): T => {
    if (built === undefined) {
      built = build();
      buildCount++;
    }
    return built;
  };
  const proxy = new Proxy(Object.create(null) as T, {
    get: (_, key) => {
      const target = schema();
      return Reflect.get(target, key, target);
    },
    has: (_, key) => Reflect.has(schema(), key),
    ownKeys: () => Reflect.ownKeys(schema()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(schema(), key);
      // The proxy's own target is empty: a property it reports must be configurable.
      return descriptor && { ...descriptor, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(schema()),
    set: (_, key, value) => Reflect.set(schema(), key, value),
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(schema(), key, descriptor),
    deleteProperty: (_, key) => Reflect.deleteProperty(schema(), key),
  });
  builders.set(proxy, schema);
  return proxy;
}

const builders = new WeakMap<object, () => object>();

/**
 * The schema a {@link lazySchema} stands for, built if it was not yet; any other value as it is. What
 * keys a schema by identity needs it: zod's registries (`z.globalRegistry.get`) hold the built
 * instance, not the stand-in.
 */
export function builtSchema<T>(schema: T): T {
  const build = typeof schema === 'object' && schema !== null ? builders.get(schema) : undefined;
  return build ? (build() as T) : schema;
}

let buildCount = 0;

/** How many lazy schemas this process has built so far (the tests check that loading a route table builds none). */
export function lazySchemasBuilt(): number {
  return buildCount;
}
