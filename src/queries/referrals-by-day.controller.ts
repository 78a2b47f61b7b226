import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../access/api-key.guard';
import { ConsistentReads, found } from './consistent-reads';
import { keyFromPath, KeyPath, shownPath } from './keys';
import { ApiConsistencyQuery, ConsistencyQuery } from './query-params';
import { ApiAnswer, ApiKeyAuth, ApiProblems } from '../http/api-docs';
import { REFERRALS_BY_DAY_SCHEMA } from '../http/response-schemas';

/** The console's chart of a campaign's referrals over time. */
@ApiTags('campaigns')
@ApiKeyAuth()
@ApiProblems(400, 401, 403, 404, 503)
@RequireScope('read')
@Controller('campaigns')
export class ReferralsByDayController {
  constructor(private readonly reads: ConsistentReads) {}

  @Get(':provider/:tenant/:id/referrals-by-day')
  @ApiOperation({
    summary:
      "A campaign's referrals over time: pending, approved, voided and other at the end of each UTC day with a change",
  })
  @ApiConsistencyQuery()
  @ApiAnswer(REFERRALS_BY_DAY_SCHEMA)
  referralsByDay(@Param() path: KeyPath, @Query() raw: unknown) {
    return this.reads.answer(ConsistencyQuery, raw, (readModels) => {
      const campaignKey = keyFromPath(path);
      found(readModels.getCampaign(campaignKey), `no campaign ${shownPath(path)}`);
      return { campaignKey, days: readModels.listReferralsByDay(campaignKey) };
    });
  }
}
