import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../access/api-key.guard';
import { ConsistentReads, found } from './consistent-reads';
import { keyFromPath, KeyPath, shownPath } from './keys';
import { ApiConsistencyQuery, ConsistencyQuery, page } from './query-params';
import { ApiAnswer, ApiKeyAuth, ApiProblems } from '../http/api-docs';
import { CAMPAIGN_VIEW_SCHEMA, LEADERBOARD_ROW_SCHEMA, paged } from '../http/response-schemas';

@ApiTags('campaigns')
@ApiKeyAuth()
@ApiProblems(400, 401, 403, 503)
@RequireScope('read')
@Controller('campaigns')
export class CampaignsController {
  constructor(private readonly reads: ConsistentReads) {}

  @Get()
  @ApiOperation({ summary: 'Campaigns with their status and referral counts, paginated' })
  @ApiConsistencyQuery({ paged: true })
  @ApiAnswer(paged(CAMPAIGN_VIEW_SCHEMA))
  list(@Query() raw: unknown) {
    return this.reads.answer(ConsistencyQuery, raw, (readModels, query) =>
      readModels.listCampaigns(page(query)),
    );
  }

  @Get(':provider/:tenant/:id')
  @ApiOperation({ summary: 'A campaign: status, counts, winners, reward configuration' })
  @ApiConsistencyQuery()
  @ApiAnswer(CAMPAIGN_VIEW_SCHEMA)
  @ApiProblems(404)
  get(@Param() path: KeyPath, @Query() raw: unknown) {
    return this.reads.answer(ConsistencyQuery, raw, (readModels) =>
      found(readModels.getCampaign(keyFromPath(path)), `no campaign ${shownPath(path)}`),
    );
  }

  @Get(':provider/:tenant/:id/leaderboard')
  @ApiOperation({ summary: "The campaign's advocates by approved referrals, paginated" })
  @ApiConsistencyQuery({ paged: true })
  @ApiAnswer(paged(LEADERBOARD_ROW_SCHEMA))
  leaderboard(@Param() path: KeyPath, @Query() raw: unknown) {
    return this.reads.answer(ConsistencyQuery, raw, (readModels, query) =>
      readModels.listLeaderboard(keyFromPath(path), page(query)),
    );
  }
}
