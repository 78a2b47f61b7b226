import { Body, ConflictException, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../access/api-key.guard';
import { LiveProjections, RebuildInProgress } from '../projections/live-projections';
import { jsonSafe } from './keys';
import { page } from './participants.controller';
import { PageQuery, parseQuery } from './query-params';

@ApiTags('operations')
@ApiBearerAuth()
@RequireScope('admin')
@Controller('projections')
export class ProjectionsStatusController {
  constructor(private readonly projections: LiveProjections) {}

  @Get('status')
  @ApiOperation({
    summary:
      'Each projection: checkpoint, lag, counts, recent errors with their positions; and a running rebuild',
  })
  status() {
    return jsonSafe(this.projections.status());
  }

  @Post('rebuild')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Rebuilds every read model from the log beside the live ones; queries are served from the live ones until the new generation has caught up, then the switch is atomic',
  })
  rebuild(@Body() _body: unknown) {
    try {
      return jsonSafe(this.projections.startRebuild().progress);
    } catch (error) {
      if (error instanceof RebuildInProgress) throw new ConflictException(error.message);
      throw error;
    }
  }

  @Get('not-understood')
  @ApiOperation({ summary: 'Recorded deliveries no projection could read, with the reason' })
  notUnderstood(@Query() raw: unknown) {
    return this.projections.current.readModels.listNotUnderstood(page(parseQuery(PageQuery, raw)));
  }
}
