import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { RequireScope } from '../access/api-key.guard';
import { ConsistentReads } from './consistent-reads';
import { ApiConsistencyQuery, ConsistencyQuery, page } from './query-params';
import { ApiAnswer, ApiKeyAuth, ApiProblems } from '../http/api-docs';
import { paged, REFERRAL_SCHEMA } from '../http/response-schemas';

const KEY = /^(wix|talkable|growsurf|refir|standard):[^:]+:.+$/;

class ReferralQuery extends ConsistencyQuery {
  @IsOptional()
  @Matches(KEY, { message: 'advocate must be a participant key provider:tenant:id' })
  advocate?: string;

  @IsOptional()
  @Matches(KEY, { message: 'friend must be a participant key provider:tenant:id' })
  friend?: string;

  @IsOptional()
  @Matches(KEY, { message: 'campaign must be a campaign key provider:tenant:id' })
  campaign?: string;

  @IsOptional()
  @IsIn(['pending', 'flagged', 'approved', 'voided', 'blocked', 'removed'])
  status?: string;
}

@ApiTags('referrals')
@ApiKeyAuth()
@ApiProblems(400, 401, 403, 503)
@RequireScope('read')
@Controller('referrals')
export class ReferralsController {
  constructor(private readonly reads: ConsistentReads) {}

  @Get()
  @ApiOperation({
    summary: 'Referrals filtered by advocate, friend, campaign or status, paginated',
  })
  @ApiConsistencyQuery({ paged: true })
  @ApiAnswer(paged(REFERRAL_SCHEMA))
  @ApiQuery({
    name: 'advocate',
    required: false,
    description: 'participant key provider:tenant:id',
  })
  @ApiQuery({ name: 'friend', required: false, description: 'participant key provider:tenant:id' })
  @ApiQuery({ name: 'campaign', required: false, description: 'campaign key provider:tenant:id' })
  @ApiQuery({
    name: 'status',
    required: false,
    enum: ['pending', 'flagged', 'approved', 'voided', 'blocked', 'removed'],
  })
  list(@Query() raw: unknown) {
    return this.reads.answer(ReferralQuery, raw, (readModels, query) =>
      readModels.listReferrals(
        {
          advocateKey: query.advocate,
          friendKey: query.friend,
          campaignKey: query.campaign,
          status: query.status,
        },
        page(query),
      ),
    );
  }
}
