import { Logger, type DynamicModule } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { EventStoreModule } from '../event-store/event-store.module';
import { EVENT_STORE } from '../event-store/event-store.port';
import { openEventStore } from '../event-store/open-event-store';
import { recordAppendHealth } from './health-recording-store';
import { StoreHealth } from './store-health';

/**
 * EventStoreModule (its lifecycle, its closing on shutdown) with the store it
 * provides wrapped so that every append's outcome reaches `StoreHealth`. Nest
 * merges a dynamic module's providers after the static ones, so this
 * EVENT_STORE replaces the module's own; test/e2e/health.e2e-spec.ts fails if
 * it ever stops doing so. The factory is the module's own: `openEventStore`.
 */
export function eventStoreRecordingHealth(): DynamicModule {
  return {
    module: EventStoreModule,
    providers: [
      { provide: StoreHealth, useFactory: () => new StoreHealth(new Logger('EventStore')) },
      {
        provide: EVENT_STORE,
        inject: [APP_CONFIG, StoreHealth],
        useFactory: (config: AppConfig, health: StoreHealth) =>
          recordAppendHealth(openEventStore(config.eventStore), health),
      },
    ],
    exports: [StoreHealth],
  };
}
