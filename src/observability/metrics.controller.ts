import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../access/api-key.guard';
import { ApiKeyAuth, ApiProblems } from '../http/api-docs';
import { METRICS_CONTENT_TYPE, ServiceMetrics } from './service-metrics';

@ApiTags('operations')
@ApiKeyAuth()
@RequireScope('admin')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ServiceMetrics) {}

  @Get()
  @Header('content-type', METRICS_CONTENT_TYPE)
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Prometheus metrics (admin key)',
    description:
      'Deliveries by provider, outcome and status; append latency and group-commit batch sizes of the embedded log; checkpoint, lag, state and failures per projection; rebuild progress; read-model query latency; the process (CPU, memory, event loop). Scrape with the admin key as a bearer token.',
  })
  @ApiResponse({
    status: 200,
    description: 'The Prometheus text exposition format (0.0.4)',
    content: {
      'text/plain': {
        schema: {
          type: 'string',
          example:
            '# TYPE referral_ledger_webhook_deliveries_total counter\nreferral_ledger_webhook_deliveries_total{provider="growsurf",outcome="recorded",status="200"} 12\n',
        },
      },
    },
  })
  @ApiProblems(401, 403)
  scrape(): Promise<string> {
    return this.metrics.render();
  }
}
