import type { EventStore } from './event-store.port';

/**
 * The store with some of its methods replaced. A proxy rather than a class:
 * every other member of the port passes through untouched (bound once to the
 * store), whatever the port grows.
 */
export function decorateStore(
  store: EventStore,
  overrides: Partial<Pick<EventStore, 'append' | 'ping'>>,
): EventStore {
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof typeof overrides];
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      let method = bound.get(property);
      if (method === undefined) {
        method = (value as (...args: unknown[]) => unknown).bind(target);
        bound.set(property, method);
      }
      return method;
    },
  });
}
