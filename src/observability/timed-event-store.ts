/**
 * Append latency on a log without a commit hook of ours (EventStoreDB): each
 * append() timed from call to answer. The embedded log reports its group
 * commits itself (ServiceMetrics.observeStore), so it is left as it is.
 */
import type { DynamicModule, FactoryProvider, Provider } from '@nestjs/common';
import { decorateStore } from '../event-store/decorate-store';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import type { ServiceMetrics } from './service-metrics';

/**
 * The event-store module as given, its EVENT_STORE factory's store timed.
 * Whatever else the module provides (health's wrapping included) is kept.
 */
export function withTimedAppends(module: DynamicModule, metrics: ServiceMetrics): DynamicModule {
  return {
    ...module,
    providers: module.providers?.map((provider) =>
      isEventStoreFactory(provider)
        ? {
            ...provider,
            useFactory: (...args: unknown[]) =>
              timeAppends(provider.useFactory(...args) as EventStore, metrics),
          }
        : provider,
    ),
  };
}

export function timeAppends(
  store: EventStore,
  metrics: Pick<ServiceMetrics, 'appendTook'>,
): EventStore {
  if (store.kind === 'sqlite') return store;
  const append: EventStore['append'] = (stream, events, options) => {
    const started = performance.now();
    return store.append(stream, events, options).then((result) => {
      metrics.appendTook(performance.now() - started);
      return result;
    });
  };
  return decorateStore(store, { append });
}

function isEventStoreFactory(provider: Provider): provider is FactoryProvider {
  return (
    typeof provider === 'object' &&
    'provide' in provider &&
    provider.provide === EVENT_STORE &&
    'useFactory' in provider
  );
}
