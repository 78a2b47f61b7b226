import { decorateStore } from '../event-store/decorate-store';
import type { EventStore } from '../event-store/event-store.port';
import type { StoreHealth } from './store-health';

/**
 * The event store as the application sees it, with the outcome of every
 * append and ping told to `health`; every other member passes through.
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
  return decorateStore(store, { append, ping });
}
