import {
  Global,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import { ledgerProjection } from './ledger/ledger.projection';
import { ProjectionRunner } from './projection-runner';
import { ReadModels } from './read-models';
import { reviewRequestsProjection } from './reviews/review-requests.projection';
import { ReadModelStore } from './storage/read-model-store';
import { unsubscribesProjection } from './unsubscribes/unsubscribes.projection';

/**
 * Read models live in DATA_DIR/read-models.sqlite whichever log is used: a
 * disposable cache of the log, caught up by one runner at boot and kept live.
 */
@Global()
@Module({
  providers: [
    {
      provide: ReadModelStore,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new ReadModelStore({ directory: config.dataDir }),
    },
    {
      provide: ProjectionRunner,
      inject: [APP_CONFIG, EVENT_STORE, ReadModelStore],
      useFactory: (config: AppConfig, store: EventStore, readModels: ReadModelStore) =>
        new ProjectionRunner({
          store,
          readModels,
          projections: [
            ledgerProjection({ defaultCurrencies: config.defaultCurrencies }),
            reviewRequestsProjection,
            unsubscribesProjection,
          ],
        }),
    },
    {
      provide: ReadModels,
      inject: [ReadModelStore],
      useFactory: (store: ReadModelStore) => new ReadModels(store),
    },
  ],
  exports: [ProjectionRunner, ReadModels, ReadModelStore],
})
export class ProjectionsModule
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('Projections');

  constructor(
    private readonly runner: ProjectionRunner,
    private readonly readModels: ReadModelStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
    this.logger.log('projections started from their checkpoints');
  }

  /** Before the log closes: the runner commits what it folded and lets go of its subscription. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }

  onApplicationShutdown(): void {
    this.readModels.close();
  }
}
