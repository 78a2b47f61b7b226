import {
  Global,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import { LiveProjections, type ProjectionWorkers } from './live-projections';
import { serviceProjections } from '../projections/service-projections';

/**
 * The runners fold on worker threads, which open the log themselves; the
 * embedded log's commits wake them (it tells of them through `onCommit`).
 */
function projectionWorkers(config: AppConfig, store: EventStore): ProjectionWorkers {
  const commits = (store as Partial<CommitNotices>).onCommit;
  return {
    log: config.eventStore,
    defaultCurrencies: config.defaultCurrencies,
    ...(typeof commits === 'function'
      ? { commits: (listener: () => void) => commits.call(store, listener) }
      : {}),
  };
}

interface CommitNotices {
  onCommit(listener: () => void): () => void;
}

/**
 * Read models live in DATA_DIR whichever log is used: a disposable cache of
 * the log, caught up at boot by one runner on a worker thread, kept live,
 * rebuildable beside it.
 */
@Global()
@Module({
  providers: [
    {
      provide: LiveProjections,
      inject: [APP_CONFIG, EVENT_STORE],
      useFactory: (config: AppConfig, store: EventStore) =>
        new LiveProjections(
          store,
          config.dataDir,
          serviceProjections(config),
          new Logger('Projections'),
          projectionWorkers(config, store),
        ),
    },
  ],
  exports: [LiveProjections],
})
export class ProjectionsModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projections');

  constructor(private readonly projections: LiveProjections) {}

  async onApplicationBootstrap(): Promise<void> {
    const { versionRebuild } = await this.projections.start();
    // With the log unreachable the runners keep retrying (and say so): the service starts anyway.
    const status = this.projections.status();
    this.logger.log(
      status.projections.some((p) => p.state === 'retrying')
        ? `projections wait for the event log or their read models, retrying with backoff (${status.live})`
        : `projections started from their checkpoints (${status.live})`,
    );
    if (versionRebuild !== undefined) {
      const held = this.projections.current.held.map((c) => c.projection).join(', ');
      this.logger.log(`code version changed for ${held}: rebuilding beside the live read models`);
      void versionRebuild.then((progress) =>
        progress.state === 'switched'
          ? this.logger.log(`rebuilt ${held}; now serving ${progress.fileName}`)
          : this.logger.error(`rebuilding ${held} failed: ${progress.failure ?? 'unknown'}`),
      );
    }
  }

  /** Before the log closes: runners commit what they folded and let go of their subscriptions. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.projections.stop();
  }
}
