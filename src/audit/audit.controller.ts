import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFound } from '../ledger/errors';
import { RequireScope } from '../access/api-key.guard';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { LiveProjections } from '../read-models/live-projections';
import { keyFromPath } from '../queries/keys';
import { ApiConsistencyQuery, ConsistencyQuery, parseQuery } from '../queries/query-params';
import { ReadYourWrites } from '../queries/read-your-writes';
import { reverifyDelivery } from './reverify-delivery';
import { StoredDeliveries } from './stored-deliveries';
import { ApiAnswer, ApiKeyAuth, ApiProblems } from '../http/api-docs';
import {
  EXPLAIN_SCHEMA,
  REVERIFICATION_SCHEMA,
  STORED_DELIVERY_SCHEMA,
} from '../http/response-schemas';

@ApiTags('audit')
@ApiKeyAuth()
@ApiProblems(401, 403, 404)
@Controller()
export class AuditController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly projections: LiveProjections,
    private readonly deliveries: StoredDeliveries,
    private readonly consistency: ReadYourWrites,
  ) {}

  @Get('participants/:provider/:tenant/:id/explain')
  @RequireScope('read')
  @ApiOperation({
    summary:
      'Why is this balance X? Each balance figure with the ledger entries behind it, each pointing at the delivery that caused it (superseded and duplicate copies shown as such)',
  })
  @ApiConsistencyQuery()
  @ApiAnswer(EXPLAIN_SCHEMA)
  @ApiProblems(400, 503)
  async explain(
    @Param('provider') provider: string,
    @Param('tenant') tenant: string,
    @Param('id') id: string,
    @Query() raw: unknown,
  ) {
    await this.consistency.reach(parseQuery(ConsistencyQuery, raw));
    const key = keyFromPath(provider, tenant, id);
    const view = this.projections.current.readModels.getParticipant(key);
    if (view === undefined) throw new NotFound(`no participant ${provider}/${tenant}/${id}`);
    const entries = this.projections.current.readModels.getRewardHistory(key);
    const verifications = new Map<string, unknown>();
    for (const entry of entries) {
      if (verifications.has(entry.streamId)) continue;
      const stored = await this.deliveries.byStream(entry.streamId);
      verifications.set(entry.streamId, stored?.delivery.verification ?? null);
    }
    return {
      participant: view.participant,
      balances: view.advocate.balances,
      rewards: view.rewards,
      entries: entries.map((entry) => ({
        ...entry,
        verification: verifications.get(entry.streamId),
        delivery: `/events/${entry.eventId}`,
      })),
    };
  }

  @Get('events/:eventId')
  @RequireScope('admin')
  @ApiOperation({
    summary: 'A stored delivery as received (admin: raw deliveries hold personal data)',
  })
  @ApiAnswer(STORED_DELIVERY_SCHEMA)
  async event(@Param('eventId') eventId: string) {
    const stored = await this.deliveries.byEventId(eventId);
    if (stored === undefined) throw new NotFound(`no stored delivery ${eventId}`);
    return stored;
  }

  @Get('events/:eventId/verification')
  @RequireScope('admin')
  @ApiOperation({
    summary:
      "Re-verifies a stored delivery's provenance with the keys configured now, and says what was checked",
  })
  @ApiAnswer(REVERIFICATION_SCHEMA)
  async verify(@Param('eventId') eventId: string) {
    const stored = await this.deliveries.byEventId(eventId);
    if (stored === undefined) throw new NotFound(`no stored delivery ${eventId}`);
    return { eventId, ...reverifyDelivery(stored.delivery, this.config.webhooks) };
  }
}
