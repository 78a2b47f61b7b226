import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Post,
  Query,
  ServiceUnavailableException,
  UseInterceptors,
} from '@nestjs/common';
import { RevealInterceptor } from './reveal.interceptor';
import {
  ApiBody,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { RequireScope } from '../access/api-key.guard';
import { ApiAnswer, ApiKeyAuth, ApiProblems } from '../http/api-docs';
import { ERASURE_ANSWER_SCHEMA, SUBJECT_EXPORT_SCHEMA } from '../http/response-schemas';
import type { Provider } from '../ledger/webhook-received';
import { ConsistentReads } from '../queries/consistent-reads';
import {
  ApiConsistencyQuery,
  ConsistencyQuery,
  parseJsonBody,
  parseQuery,
} from '../queries/query-params';
import { Erasure, ErasureUnavailable, type EraseRequest } from './erasure.service';

const PROVIDERS: readonly Provider[] = ['wix', 'talkable', 'growsurf', 'refir', 'standard'];

export class EraseRequestBody {
  @ApiPropertyOptional({ format: 'email', description: 'erase every subject with this email' })
  @IsOptional()
  @IsEmail({}, { message: 'email must be an email address' })
  email?: string;

  @ApiPropertyOptional({
    enum: PROVIDERS,
    description: 'with participantId: the provider naming the person',
  })
  @IsOptional()
  @IsIn(PROVIDERS, { message: `provider must be one of ${PROVIDERS.join(', ')}` })
  provider?: Provider;

  @ApiPropertyOptional({
    description:
      "the provider's participant id (GrowSurf, Refir, Standard), the email (Talkable), the contact id (Wix), or a pseudonym",
  })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  participantId?: string;

  @ApiPropertyOptional({
    description: 'the tenant (campaign, site, instance); every tenant when absent',
  })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  tenant?: string;
}

export class ExportQuery extends ConsistencyQuery {
  @ApiProperty({ format: 'email' })
  @IsEmail({}, { message: 'email must be an email address' })
  email!: string;
}

@ApiTags('subjects')
@ApiKeyAuth()
@ApiProblems(401, 403)
@Controller('subjects')
export class SubjectsController {
  constructor(
    private readonly erasure: Erasure,
    private readonly reads: ConsistentReads,
  ) {}

  // The export reads through ConsistentReads, which reveals its answer itself.
  @Post('erase')
  @HttpCode(200)
  @RequireScope('admin')
  @UseInterceptors(RevealInterceptor)
  @ApiOperation({
    summary:
      "Forgets a person (by email, or by a provider's participant id): records the request in the log, destroys the keys of their personal data, and answers with what was erased. Totals stay, under a pseudonym",
  })
  @ApiBody({ type: EraseRequestBody })
  @ApiAnswer(ERASURE_ANSWER_SCHEMA)
  @ApiProblems(400, 503)
  async erase(@Body() raw: Buffer | undefined) {
    const body = parseQuery(
      EraseRequestBody,
      raw === undefined || raw.length === 0 ? {} : parseJsonBody(raw.toString('utf8')),
    );
    return this.available(() => this.erasure.erase(requestOf(body)));
  }

  @Get('export')
  @RequireScope('admin')
  @ApiOperation({
    summary:
      'Everything held about a person, decrypted (an access request): their profile and their fields in every delivery naming them',
  })
  @ApiQuery({ name: 'email', required: true, schema: { type: 'string', format: 'email' } })
  @ApiConsistencyQuery()
  @ApiAnswer(SUBJECT_EXPORT_SCHEMA)
  @ApiProblems(400, 503)
  async export(@Query() raw: unknown) {
    return this.reads.answer(ExportQuery, raw, async (readModels, query) => {
      const held = await this.available(() => this.erasure.exportByEmail(query.email));
      // What the read models derived about them too (their participant documents, under their tokens).
      const participants = this.erasure
        .emailTokens(query.email)
        .flatMap((token) => readModels.findParticipantsByEmail(token));
      return { ...held, participants };
    });
  }

  private async available<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ErasureUnavailable) throw new ServiceUnavailableException(error.message);
      throw error;
    }
  }
}

function requestOf(body: EraseRequestBody): EraseRequest {
  if (body.email !== undefined && body.participantId === undefined && body.provider === undefined)
    return { email: body.email };
  if (body.email === undefined && body.provider !== undefined && body.participantId !== undefined) {
    return {
      provider: body.provider,
      participantId: body.participantId,
      ...(body.tenant === undefined ? {} : { tenant: body.tenant }),
    };
  }
  throw new BadRequestException('name the person by email, or by provider and participantId');
}
