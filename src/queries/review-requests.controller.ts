import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsBooleanString, IsOptional } from 'class-validator';
import { RequireScope } from '../access/api-key.guard';
import { reviewRequestKey } from '../projections/reviews/review-requests.projection';
import { ConsistentReads, found } from './consistent-reads';
import { ApiConsistencyQuery, ConsistencyQuery, page } from './query-params';
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
  constructor(private readonly reads: ConsistentReads) {}

  @Get(':instanceId')
  @ApiOperation({ summary: 'Review requests of a Wix site (app instance), paginated' })
  @ApiConsistencyQuery({ paged: true })
  @ApiQuery({
    name: 'includeDeleted',
    required: false,
    schema: { type: 'string', enum: ['true', 'false'], default: 'false' },
  })
  @ApiAnswer(paged(REVIEW_REQUEST_SCHEMA))
  list(@Param('instanceId') instanceId: string, @Query() raw: unknown) {
    return this.reads.answer(ReviewRequestQuery, raw, (readModels, query) =>
      readModels.listReviewRequests(instanceId, page(query), {
        includeDeleted: query.includeDeleted === 'true',
      }),
    );
  }

  @Get(':instanceId/:id')
  @ApiOperation({ summary: 'One review request: status, order, items, recipient' })
  @ApiConsistencyQuery()
  @ApiAnswer(REVIEW_REQUEST_SCHEMA)
  @ApiProblems(404)
  get(@Param('instanceId') instanceId: string, @Param('id') id: string, @Query() raw: unknown) {
    return this.reads.answer(ConsistencyQuery, raw, (readModels) =>
      found(
        readModels.getReviewRequest(reviewRequestKey(instanceId, id)),
        `no review request ${id} on ${instanceId}`,
      ),
    );
  }
}
