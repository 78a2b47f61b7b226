import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFound } from '../ledger/errors';
import { RequireScope } from '../access/api-key.guard';
import { LiveProjections } from '../read-models/live-projections';
import { keyFromPath } from './keys';
import { ApiConsistencyQuery, ConsistencyQuery, parseQuery } from './query-params';
import { ReadYourWrites } from './read-your-writes';
import { ApiAnswer, ApiKeyAuth, ApiProblems } from '../http/api-docs';
import { REFERRALS_BY_DAY_SCHEMA } from '../http/response-schemas';

/** The console's chart of a campaign's referrals over time. */
@ApiTags('campaigns')
@ApiKeyAuth()
@ApiProblems(400, 401, 403, 404, 503)
@RequireScope('read')
@Controller('campaigns')
export class ReferralsByDayController {
  constructor(
    private readonly projections: LiveProjections,
    private readonly consistency: ReadYourWrites,
  ) {}

  @Get(':provider/:tenant/:id/referrals-by-day')
  @ApiOperation({
    summary:
      "A campaign's referrals over time: pending, approved, voided and other at the end of each UTC day with a change",
  })
  @ApiConsistencyQuery()
  @ApiAnswer(REFERRALS_BY_DAY_SCHEMA)
  async referralsByDay(
    @Param('provider') provider: string,
    @Param('tenant') tenant: string,
    @Param('id') id: string,
    @Query() raw: unknown,
  ) {
    await this.consistency.reach(parseQuery(ConsistencyQuery, raw));
    const campaignKey = keyFromPath(provider, tenant, id);
    const readModels = this.projections.current.readModels;
    if (readModels.getCampaign(campaignKey) === undefined)
      throw new NotFound(`no campaign ${provider}/${tenant}/${id}`);
    return { campaignKey, days: readModels.listReferralsByDay(campaignKey) };
  }
}
