import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';

interface HealthReport {
  status: 'ok' | 'unavailable';
  eventStore: { kind: EventStore['kind']; ready: boolean };
}

@Controller('health')
export class HealthController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** Liveness: the process answers. Readiness is reported alongside, without failing liveness. */
  @Get()
  @HttpCode(200)
  async live(): Promise<HealthReport> {
    return this.report();
  }

  /** Readiness: 503 while the event store does not answer, so a balancer stops sending webhooks. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthReport> {
    const report = await this.report();
    void reply.status(report.eventStore.ready ? 200 : 503);
    return report;
  }

  private async report(): Promise<HealthReport> {
    const ready = await this.store.ping();
    return { status: ready ? 'ok' : 'unavailable', eventStore: { kind: this.store.kind, ready } };
  }
}
