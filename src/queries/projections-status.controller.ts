import { Body, Controller, Get, HttpCode, Post, Query, UseInterceptors } from '@nestjs/common';
import { RevealInterceptor } from '../erasure/reveal.interceptor';
import {
  ApiBody,
  ApiOperation,
  ApiPropertyOptional,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { RequireScope } from '../access/api-key.guard';
import { InvalidRequest } from '../ledger/errors';
import { LiveProjections } from '../read-models/live-projections';
import { jsonSafe } from './keys';
import { MAX_OFFSET, page, PageQuery, parseJsonBody, parseQuery } from './query-params';
import { ApiAnswer, ApiKeyAuth, ApiProblems } from '../http/api-docs';
import {
  NOT_UNDERSTOOD_SCHEMA,
  paged,
  PROJECTIONS_STATUS_SCHEMA,
  REBUILD_PROGRESS_SCHEMA,
} from '../http/response-schemas';

class RebuildRequest {
  @ApiPropertyOptional({
    description: 'Projections to rebuild (see GET /projections/status); all when absent',
    example: ['ledger'],
    type: [String],
  })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(32)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  projections?: string[];
}

/** Bodies reach handlers as raw bytes (see app.ts): none, or a JSON object. */
function rebuildBody(raw: Buffer | undefined): object {
  const text = raw === undefined ? '' : raw.toString('utf8').trim();
  if (text === '') return {};
  const body = parseJsonBody(text);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidRequest('the body must be a JSON object, e.g. {"projections":["ledger"]}');
  return body;
}

@ApiTags('operations')
@ApiKeyAuth()
@ApiProblems(401, 403)
@RequireScope('admin')
@UseInterceptors(RevealInterceptor)
@Controller('projections')
export class ProjectionsStatusController {
  constructor(private readonly projections: LiveProjections) {}

  @Get('status')
  @ApiOperation({
    summary:
      'Each projection: checkpoint, lag, counts, recent errors with their positions; and a running rebuild',
  })
  @ApiAnswer(PROJECTIONS_STATUS_SCHEMA)
  status() {
    return jsonSafe(this.projections.status());
  }

  @Post('rebuild')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Rebuilds the named projections (all when none is named) from the log beside the live read models; queries are served from the live ones until the new generation has caught up, then the switch is atomic',
  })
  @ApiBody({ type: RebuildRequest, required: false })
  @ApiResponse({
    status: 202,
    description: 'The rebuild started: follow it in GET /projections/status',
    content: { 'application/json': { schema: REBUILD_PROGRESS_SCHEMA } },
  })
  @ApiProblems(400, 409)
  rebuild(@Body() raw: Buffer | undefined) {
    const request = parseQuery(RebuildRequest, rebuildBody(raw));
    return jsonSafe(this.projections.startRebuild(request.projections).progress);
  }

  @Get('not-understood')
  @ApiOperation({ summary: 'Recorded deliveries no projection could read, with the reason' })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  })
  @ApiQuery({
    name: 'offset',
    required: false,
    schema: { type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 },
  })
  @ApiAnswer(paged(NOT_UNDERSTOOD_SCHEMA))
  @ApiProblems(400)
  notUnderstood(@Query() raw: unknown) {
    return this.projections.current.readModels.listNotUnderstood(page(parseQuery(PageQuery, raw)));
  }
}
