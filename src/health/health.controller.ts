import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import { LiveProjections } from '../read-models/live-projections';
import type { ProjectionStatus } from '../read-models/projection-runner';
import { judgeHealth, type HealthReport } from './readiness';
import { StoreHealth } from './store-health';
import { ApiAnswer } from '../http/api-docs';
import { HEALTH_SCHEMA } from '../http/response-schemas';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly storeHealth: StoreHealth,
    private readonly projections: LiveProjections,
  ) {}

  /** Liveness: the process answers. Readiness is reported alongside, without failing liveness. */
  @Get()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Liveness: always 200 while the process answers, with readiness beside',
  })
  @ApiAnswer(HEALTH_SCHEMA)
  async live(): Promise<HealthReport> {
    return this.report();
  }

  /**
   * Readiness: 503, with the causes in the body, while the event store does not
   * answer, appends to it fail, or a projection does not follow the log, so
   * that a balancer stops sending webhooks.
   */
  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: 503 with the causes while the service cannot take webhooks',
  })
  @ApiAnswer(HEALTH_SCHEMA)
  @ApiResponse({
    status: 503,
    description: 'Not ready: the causes are in the body; retry after Retry-After',
    content: { 'application/json': { schema: HEALTH_SCHEMA } },
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthReport> {
    const report = await this.report();
    void reply.status(report.status === 'ok' ? 200 : 503);
    if (report.status !== 'ok') void reply.header('retry-after', '5');
    return report;
  }

  private async report(): Promise<HealthReport> {
    return judgeHealth({
      kind: this.store.kind,
      pinged: await this.store.ping(),
      appendsFailing: this.storeHealth.appendsFailing(),
      projections: this.projectionStates(),
    });
  }

  /** Readiness answers even when the projections cannot say how they are: that is a cause too. */
  private projectionStates(): readonly ProjectionStatus[] | { readonly unknown: string } {
    try {
      return this.projections.status().projections;
    } catch (error) {
      return { unknown: error instanceof Error ? error.message : String(error) };
    }
  }
}
