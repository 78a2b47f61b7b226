import { Controller, Get, Inject, Param, Query, UseInterceptors } from '@nestjs/common';
import { RevealInterceptor } from '../erasure/reveal.interceptor';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../access/api-key.guard';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ConsistentReads, found } from '../queries/consistent-reads';
import { keyFromPath, KeyPath, shownPath } from '../queries/keys';
import { ApiConsistencyQuery, ConsistencyQuery } from '../queries/query-params';
import { explainBalances } from './explain-balances';
import { Erasure } from '../erasure/erasure.service';
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
@ApiProblems(401, 403, 404, 503)
@Controller()
export class AuditController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reads: ConsistentReads,
    private readonly deliveries: StoredDeliveries,
    private readonly erasure: Erasure,
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
  explain(@Param() path: KeyPath, @Query() raw: unknown) {
    return this.reads.answer(ConsistencyQuery, raw, async (readModels) => {
      // A Talkable email in the path may be held as its pseudonym token: try those first.
      const key =
        this.erasure
          .participantIds(path.provider, path.tenant, path.id)
          .map((id) => keyFromPath({ ...path, id }))
          .find((candidate) => readModels.hasParticipant(candidate)) ?? keyFromPath(path);
      return found(
        await explainBalances(readModels, key, this.deliveries),
        `no participant ${shownPath(path)}`,
      );
    });
  }

  // Answers from the log, not through ConsistentReads (which reveals its own answers).
  @Get('events/:eventId')
  @RequireScope('admin')
  @UseInterceptors(RevealInterceptor)
  @ApiOperation({
    summary: 'A stored delivery as received (admin: raw deliveries hold personal data)',
  })
  @ApiAnswer(STORED_DELIVERY_SCHEMA)
  async event(@Param('eventId') eventId: string) {
    return found(await this.deliveries.byEventId(eventId), `no stored delivery ${eventId}`);
  }

  @Get('events/:eventId/verification')
  @RequireScope('admin')
  @UseInterceptors(RevealInterceptor)
  @ApiOperation({
    summary:
      "Re-verifies a stored delivery's provenance with the keys configured now, and says what was checked",
  })
  @ApiAnswer(REVERIFICATION_SCHEMA)
  async verify(@Param('eventId') eventId: string) {
    const stored = found(await this.deliveries.byEventId(eventId), `no stored delivery ${eventId}`);
    if (stored.bodyHeld === false) {
      // Erased (or its key lost): there are no bytes left to check, and that is the answer.
      return {
        eventId,
        result: 'not-verifiable',
        method: stored.delivery.verification.method,
        checked: 'nothing',
        reason: `the body is no longer held: ${stored.erasure ?? 'key lost'}`,
        erasure: stored.erasure ?? 'key lost',
      };
    }
    return { eventId, ...reverifyDelivery(stored.delivery, this.config.webhooks) };
  }
}
