import type { EventStore } from '../event-store/event-store.port';
import type { StoreHealth } from './store-health';

/**
 * The event store as the application sees it, with the outcome of every
 * append and ping told to `health`. A proxy rather than a class: every other member of
 * the port passes through untouched, whatever the port grows.
 */
export function recordAppendHealth(store: EventStore, health: StoreHealth): EventStore {
  const append: EventStore['append'] = (stream, events, options) =>
    store.append(stream, events, options).then(
      (result) => {
        health.appendSucceeded();
        return result;
      },
      (error: unknown) => {
        health.appendFailed(error);
        throw error;
      },
    );
  const ping: EventStore['ping'] = () =>
    store.ping().then((ok) => {
      health.pinged(ok);
      return ok;
    });
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property) {
      if (property === 'append') return append;
      if (property === 'ping') return ping;
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
