import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { NotFound } from '../ledger/errors';
import { IsEmail, IsOptional } from 'class-validator';
import { RequireScope } from '../access/api-key.guard';
import { LiveProjections } from '../read-models/live-projections';
import { keyFromPath } from './keys';
import { ApiConsistencyQuery, ConsistencyQuery, parseQuery } from './query-params';
import { ReadYourWrites } from './read-your-writes';
import { ApiAnswer, ApiKeyAuth, ApiProblems } from '../http/api-docs';
import {
  LEDGER_ENTRY_SCHEMA,
  paged,
  PARTICIPANT_SCHEMA,
  PARTICIPANT_VIEW_SCHEMA,
  REWARD_SCHEMA,
} from '../http/response-schemas';

class ParticipantSearch extends ConsistencyQuery {
  @IsOptional()
  @IsEmail({}, { message: 'email must be an email address' })
  email?: string;
}

@ApiTags('participants')
@ApiKeyAuth()
@ApiProblems(400, 401, 403, 503)
@RequireScope('read')
@Controller('participants')
export class ParticipantsController {
  constructor(
    private readonly projections: LiveProjections,
    private readonly consistency: ReadYourWrites,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Participants with this email address, across providers' })
  @ApiQuery({ name: 'email', required: true, schema: { type: 'string', format: 'email' } })
  @ApiConsistencyQuery()
  @ApiAnswer({
    type: 'object',
    properties: { items: { type: 'array', items: PARTICIPANT_SCHEMA } },
    required: ['items'],
    additionalProperties: false,
  })
  @ApiProblems(404)
  async search(@Query() raw: unknown) {
    const query = parseQuery(ParticipantSearch, raw);
    await this.consistency.reach(query);
    if (query.email === undefined) throw new NotFound('pass ?email= to search participants');
    return {
      items: this.projections.current.readModels.findParticipantsByEmail(query.email.toLowerCase()),
    };
  }

  @Get(':provider/:tenant/:id')
  @ApiOperation({
    summary:
      'A participant as advocate (referral counts, balances per currency and status, points, coupons) and as friend',
  })
  @ApiAnswer(PARTICIPANT_VIEW_SCHEMA, 'Money is a decimal string next to its currency.')
  @ApiProblems(404)
  @ApiConsistencyQuery()
  async get(
    @Param('provider') provider: string,
    @Param('tenant') tenant: string,
    @Param('id') id: string,
    @Query() raw: unknown,
  ) {
    await this.consistency.reach(parseQuery(ConsistencyQuery, raw));
    const view = this.projections.current.readModels.getParticipant(
      keyFromPath(provider, tenant, id),
    );
    if (view === undefined) throw new NotFound(`no participant ${provider}/${tenant}/${id}`);
    return view;
  }

  @Get(':provider/:tenant/:id/rewards')
  @ApiOperation({ summary: "A participant's rewards, paginated" })
  @ApiConsistencyQuery({ paged: true })
  @ApiAnswer(paged(REWARD_SCHEMA))
  async rewards(
    @Param('provider') provider: string,
    @Param('tenant') tenant: string,
    @Param('id') id: string,
    @Query() raw: unknown,
  ) {
    const query = parseQuery(ConsistencyQuery, raw);
    await this.consistency.reach(query);
    return this.projections.current.readModels.listRewards(
      keyFromPath(provider, tenant, id),
      page(query),
    );
  }

  @Get(':provider/:tenant/:id/history')
  @ApiOperation({
    summary: "Every ledger entry behind a participant's rewards, with the delivery that caused it",
  })
  @ApiConsistencyQuery()
  @ApiAnswer({
    type: 'object',
    properties: { items: { type: 'array', items: LEDGER_ENTRY_SCHEMA } },
    required: ['items'],
    additionalProperties: false,
  })
  @ApiProblems(404)
  async history(
    @Param('provider') provider: string,
    @Param('tenant') tenant: string,
    @Param('id') id: string,
    @Query() raw: unknown,
  ) {
    await this.consistency.reach(parseQuery(ConsistencyQuery, raw));
    const key = keyFromPath(provider, tenant, id);
    if (this.projections.current.readModels.getParticipant(key) === undefined)
      throw new NotFound(`no participant ${provider}/${tenant}/${id}`);
    return { items: this.projections.current.readModels.getRewardHistory(key) };
  }
}

export function page(query: { limit?: number; offset?: number }) {
  return { limit: query.limit ?? 50, offset: query.offset ?? 0 };
}
