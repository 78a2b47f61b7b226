import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../access/api-key.guard';
import { ProjectionRunner } from '../projections/projection-runner';
import { ReadModels } from '../projections/read-models';
import { jsonSafe } from './keys';
import { page } from './participants.controller';
import { PageQuery, parseQuery } from './query-params';

@ApiTags('operations')
@ApiBearerAuth()
@RequireScope('admin')
@Controller('projections')
export class ProjectionsStatusController {
  constructor(
    private readonly runner: ProjectionRunner,
    private readonly readModels: ReadModels,
  ) {}

  @Get('status')
  @ApiOperation({
    summary: 'Each projection: checkpoint, lag, counts, recent errors with their positions',
  })
  status() {
    return jsonSafe({ projections: this.runner.status() });
  }

  @Get('not-understood')
  @ApiOperation({ summary: 'Recorded deliveries no projection could read, with the reason' })
  notUnderstood(@Query() raw: unknown) {
    return this.readModels.listNotUnderstood(page(parseQuery(PageQuery, raw)));
  }
}
