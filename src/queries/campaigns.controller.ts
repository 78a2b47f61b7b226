import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFound } from '../ledger/errors';
import { RequireScope } from '../access/api-key.guard';
import { LiveProjections } from '../read-models/live-projections';
import { keyFromPath } from './keys';
import { page } from './participants.controller';
import { ApiConsistencyQuery, ConsistencyQuery, parseQuery } from './query-params';
import { ReadYourWrites } from './read-your-writes';
import { ApiAnswer, ApiKeyAuth, ApiProblems } from '../http/api-docs';
import { CAMPAIGN_VIEW_SCHEMA, LEADERBOARD_ROW_SCHEMA, paged } from '../http/response-schemas';

@ApiTags('campaigns')
@ApiKeyAuth()
@ApiProblems(400, 401, 403, 503)
@RequireScope('read')
@Controller('campaigns')
export class CampaignsController {
  constructor(
    private readonly projections: LiveProjections,
    private readonly consistency: ReadYourWrites,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Campaigns with their status and referral counts, paginated' })
  @ApiConsistencyQuery({ paged: true })
  @ApiAnswer(paged(CAMPAIGN_VIEW_SCHEMA))
  async list(@Query() raw: unknown) {
    const query = parseQuery(ConsistencyQuery, raw);
    await this.consistency.reach(query);
    return this.projections.current.readModels.listCampaigns(page(query));
  }

  @Get(':provider/:tenant/:id')
  @ApiOperation({ summary: 'A campaign: status, counts, winners, reward configuration' })
  @ApiConsistencyQuery()
  @ApiAnswer(CAMPAIGN_VIEW_SCHEMA)
  @ApiProblems(404)
  async get(
    @Param('provider') provider: string,
    @Param('tenant') tenant: string,
    @Param('id') id: string,
    @Query() raw: unknown,
  ) {
    await this.consistency.reach(parseQuery(ConsistencyQuery, raw));
    const campaign = this.projections.current.readModels.getCampaign(
      keyFromPath(provider, tenant, id),
    );
    if (campaign === undefined) throw new NotFound(`no campaign ${provider}/${tenant}/${id}`);
    return campaign;
  }

  @Get(':provider/:tenant/:id/leaderboard')
  @ApiOperation({ summary: "The campaign's advocates by approved referrals, paginated" })
  @ApiConsistencyQuery({ paged: true })
  @ApiAnswer(paged(LEADERBOARD_ROW_SCHEMA))
  async leaderboard(
    @Param('provider') provider: string,
    @Param('tenant') tenant: string,
    @Param('id') id: string,
    @Query() raw: unknown,
  ) {
    const query = parseQuery(ConsistencyQuery, raw);
    await this.consistency.reach(query);
    return this.projections.current.readModels.listLeaderboard(
      keyFromPath(provider, tenant, id),
      page(query),
    );
  }
}
