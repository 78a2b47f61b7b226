/**
 * Query parameters arrive as strings: each route's DTO is validated with
 * class-validator (flat, per route; no global pipe on the webhook hot path).
 */
import { applyDecorators, BadRequestException } from '@nestjs/common';
import { ApiPropertyOptional, ApiQuery } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'rows to skip' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

export class ConsistencyQuery extends PageQuery {
  @ApiPropertyOptional({
    description:
      'A log position a webhook answer returned: the query waits (at most waitMs) until the read models have reached it.',
    example: '1042',
  })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'atPosition must be a log position (a whole number)' })
  atPosition?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 10_000, default: 2_000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10_000)
  waitMs?: number;
}

/**
 * Validates query parameters (or a small JSON body) against a DTO whose every
 * parameter is optional, which all of ours are: with none given there is
 * nothing to validate, and the common lookup skips class-validator.
 */
export function parseQuery<T extends object>(Dto: new () => T, query: unknown): T {
  if (isEmptyObject(query)) return new Dto();
  const instance = plainToInstance(Dto, query ?? {});
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    const problems = errors.flatMap((error) => Object.values(error.constraints ?? {}));
    throw new BadRequestException(problems.join('; '));
  }
  return instance;
}

/** Documents the query parameters that `parseQuery` validates (the handlers take them raw). */
export function ApiConsistencyQuery(options: { paged?: boolean } = {}): MethodDecorator {
  const decorators = [
    ApiQuery({
      name: 'atPosition',
      required: false,
      description: 'log position from a webhook answer: wait until included',
    }),
    ApiQuery({
      name: 'waitMs',
      required: false,
      description: 'how long to wait for atPosition (0–10000, default 2000)',
    }),
  ];
  if (options.paged === true) {
    decorators.push(
      ApiQuery({ name: 'limit', required: false, description: '1–200, default 50' }),
      ApiQuery({ name: 'offset', required: false, description: 'rows to skip, default 0' }),
    );
  }
  return applyDecorators(...decorators);
}

function isEmptyObject(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value !== 'object' || Array.isArray(value)) return false;
  for (const _ in value) return false;
  return true;
}
