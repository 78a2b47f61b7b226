import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { NotFound } from '../ledger/errors';
import { IsBooleanString, IsOptional } from 'class-validator';
import { RequireScope } from '../access/api-key.guard';
import { LiveProjections } from '../read-models/live-projections';
import { reviewRequestKey } from '../projections/reviews/review-requests.projection';
import { page } from './participants.controller';
import { ApiConsistencyQuery, ConsistencyQuery, parseQuery } from './query-params';
import { ReadYourWrites } from './read-your-writes';
import { ApiAnswer, ApiKeyAuth, ApiProblems } from '../http/api-docs';
import { paged, REVIEW_REQUEST_SCHEMA } from '../http/response-schemas';

class ReviewRequestQuery extends ConsistencyQuery {
  @IsOptional()
  @IsBooleanString()
  includeDeleted?: string;
}

@ApiTags('review requests')
@ApiKeyAuth()
@ApiProblems(400, 401, 403, 503)
@RequireScope('read')
@Controller('review-requests')
export class ReviewRequestsController {
  constructor(
    private readonly projections: LiveProjections,
    private readonly consistency: ReadYourWrites,
  ) {}

  @Get(':instanceId')
  @ApiOperation({ summary: 'Review requests of a Wix site (app instance), paginated' })
  @ApiConsistencyQuery({ paged: true })
  @ApiQuery({
    name: 'includeDeleted',
    required: false,
    schema: { type: 'string', enum: ['true', 'false'], default: 'false' },
  })
  @ApiAnswer(paged(REVIEW_REQUEST_SCHEMA))
  async list(@Param('instanceId') instanceId: string, @Query() raw: unknown) {
    const query = parseQuery(ReviewRequestQuery, raw);
    await this.consistency.reach(query);
    return this.projections.current.readModels.listReviewRequests(instanceId, page(query), {
      includeDeleted: query.includeDeleted === 'true',
    });
  }

  @Get(':instanceId/:id')
  @ApiOperation({ summary: 'One review request: status, order, items, recipient' })
  @ApiConsistencyQuery()
  @ApiAnswer(REVIEW_REQUEST_SCHEMA)
  @ApiProblems(404)
  async get(
    @Param('instanceId') instanceId: string,
    @Param('id') id: string,
    @Query() raw: unknown,
  ) {
    await this.consistency.reach(parseQuery(ConsistencyQuery, raw));
    const request = this.projections.current.readModels.getReviewRequest(
      reviewRequestKey(instanceId, id),
    );
    if (request === undefined) throw new NotFound(`no review request ${id} on ${instanceId}`);
    return request;
  }
}
