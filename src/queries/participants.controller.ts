import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsEmail, IsOptional } from 'class-validator';
import { RequireScope } from '../access/api-key.guard';
import { Erasure } from '../erasure/erasure.service';
import { NotFound } from '../ledger/errors';
import type { ReadModels } from '../read-models/read-models';
import { ConsistentReads } from './consistent-reads';
import { keyFromPath, KeyPath, shownPath } from './keys';
import { ApiConsistencyQuery, ConsistencyQuery, page } from './query-params';
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
    private readonly reads: ConsistentReads,
    private readonly erasure: Erasure,
  ) {}

  /**
   * The keys the path may be held under, most likely first: read models hold
   * pseudonym tokens where emails were (Talkable ids), and the path names the person.
   */
  private candidateKeys(path: KeyPath): string[] {
    return this.erasure
      .participantIds(path.provider, path.tenant, path.id)
      .map((id) => keyFromPath({ ...path, id }));
  }

  /** The key the participant is held under, or the path's own when none is. */
  private keyOf(readModels: ReadModels, path: KeyPath): string {
    return (
      this.candidateKeys(path).find((key) => readModels.hasParticipant(key)) ?? keyFromPath(path)
    );
  }

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
  search(@Query() raw: unknown) {
    return this.reads.answer(ParticipantSearch, raw, (readModels, query) => {
      if (query.email === undefined) throw new NotFound('pass ?email= to search participants');
      const email = query.email.toLowerCase();
      // Where a key is held, the read models know the person by the pseudonym of their email too.
      const matches = new Map<
        string,
        ReturnType<typeof readModels.findParticipantsByEmail>[number]
      >();
      for (const candidate of [email, ...this.erasure.emailTokens(email)]) {
        for (const participant of readModels.findParticipantsByEmail(candidate))
          matches.set(participant.key, participant);
      }
      return {
        items: [...matches.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
      };
    });
  }

  @Get(':provider/:tenant/:id')
  @ApiOperation({
    summary:
      'A participant as advocate (referral counts, balances per currency and status, points, coupons) and as friend',
  })
  @ApiAnswer(PARTICIPANT_VIEW_SCHEMA, 'Money is a decimal string next to its currency.')
  @ApiProblems(404)
  @ApiConsistencyQuery()
  get(@Param() path: KeyPath, @Query() raw: unknown) {
    return this.reads.answer(ConsistencyQuery, raw, (readModels) => {
      // The first candidate held is the answer: its view is read once, not looked up and then read.
      for (const key of this.candidateKeys(path)) {
        const view = readModels.getParticipant(key);
        if (view !== undefined) return view;
      }
      throw new NotFound(`no participant ${shownPath(path)}`);
    });
  }

  @Get(':provider/:tenant/:id/rewards')
  @ApiOperation({ summary: "A participant's rewards, paginated" })
  @ApiConsistencyQuery({ paged: true })
  @ApiAnswer(paged(REWARD_SCHEMA))
  rewards(@Param() path: KeyPath, @Query() raw: unknown) {
    return this.reads.answer(ConsistencyQuery, raw, (readModels, query) =>
      readModels.listRewards(this.keyOf(readModels, path), page(query)),
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
  history(@Param() path: KeyPath, @Query() raw: unknown) {
    return this.reads.answer(ConsistencyQuery, raw, (readModels) => {
      const key = this.keyOf(readModels, path);
      if (!readModels.hasParticipant(key)) throw new NotFound(`no participant ${shownPath(path)}`);
      return { items: readModels.getRewardHistory(key) };
    });
  }
}
