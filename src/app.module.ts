import { DynamicModule, Module } from '@nestjs/common';
import { AccessModule } from './access/access.module';
import { AuditModule } from './audit/audit.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { ConsoleModule } from './console/console.module';
import { ErasureModule } from './erasure/erasure.module';
import { HealthModule } from './health/health.module';
import { eventStoreRecordingHealth } from './health/store-health.module';
import type { Clock } from './ledger/clock';
import { ObservabilityModule } from './observability/observability.module';
import type { ServiceMetrics } from './observability/service-metrics';
import { withTimedAppends } from './observability/timed-event-store';
import { ProjectionsModule } from './read-models/read-models.module';
import { QueriesModule } from './queries/queries.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, clock: Clock, metrics: ServiceMetrics): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, clock),
        AccessModule,
        withTimedAppends(eventStoreRecordingHealth(), metrics),
        ErasureModule,
        HealthModule,
        WebhooksModule,
        ProjectionsModule,
        QueriesModule,
        AuditModule,
        ConsoleModule,
        ObservabilityModule.forRoot(metrics),
      ],
    };
  }
}
