import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import { LiveProjections } from '../read-models/live-projections';
import { MetricsController } from './metrics.controller';
import { ServiceMetrics } from './service-metrics';

/**
 * /metrics, over the ServiceMetrics that createApp made (its access log
 * counts requests into the same instance before Nest exists).
 */
@Module({})
export class ObservabilityModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private stopObservingStore: (() => void) | undefined;

  constructor(
    private readonly metrics: ServiceMetrics,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: LiveProjections,
  ) {}

  static forRoot(metrics: ServiceMetrics): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [MetricsController],
      providers: [{ provide: ServiceMetrics, useValue: metrics }],
    };
  }

  onApplicationBootstrap(): void {
    this.metrics.observeProjections(this.projections);
    this.stopObservingStore = this.metrics.observeStore(this.store);
  }

  onApplicationShutdown(): void {
    this.stopObservingStore?.();
  }
}
