/**
 * Query parameters arrive as strings: each route's DTO is validated with
 * class-validator (flat, per route; no global pipe on the webhook hot path).
 */
import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional, ApiQuery } from '@nestjs/swagger';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  Max,
  Min,
  validateSync,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';
import { InvalidRequest } from '../ledger/errors';

/** The largest `offset` served: far past any page a client walks to, well inside SQLite's int64. */
export const MAX_OFFSET = 1_000_000_000;
/** Log positions are int64 on both logs. */
export const MAX_POSITION = 2n ** 63n - 1n;
/** Keys that could reach a prototype: refused in every query and small JSON body. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A whole number written in plain decimal digits, converted only then. `Number()`
 * would take `1e25`, `0x10`, ` 7` or `1.0` (and `Number.isInteger(1e25)` is
 * true), so anything else stays a string and fails `@IsInt()`.
 */
function WholeNumber(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value,
  );
}

function IsLogPosition(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isLogPosition',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && /^\d{1,19}$/.test(value) && BigInt(value) <= MAX_POSITION,
        defaultMessage: () =>
          `atPosition must be a log position: a whole number from 0 to ${MAX_POSITION}`,
      },
    },
    options,
  );
}

export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @WholeNumber()
  @IsInt({ message: 'limit must be a whole number from 1 to 200' })
  @Min(1, { message: 'limit must be a whole number from 1 to 200' })
  @Max(200, { message: 'limit must be a whole number from 1 to 200' })
  limit?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_OFFSET,
    default: 0,
    description: 'rows to skip',
  })
  @IsOptional()
  @WholeNumber()
  @IsInt({ message: `offset must be a whole number from 0 to ${MAX_OFFSET}` })
  @Min(0, { message: `offset must be a whole number from 0 to ${MAX_OFFSET}` })
  @Max(MAX_OFFSET, { message: `offset must be a whole number from 0 to ${MAX_OFFSET}` })
  offset?: number;
}

/** The page a `PageQuery` asks for, with the defaults filled in. */
export function page(query: PageQuery): { limit: number; offset: number } {
  return { limit: query.limit ?? 50, offset: query.offset ?? 0 };
}

export class ConsistencyQuery extends PageQuery {
  @ApiPropertyOptional({
    description:
      'A log position a webhook answer returned: the query waits (at most waitMs) until the read models have reached it.',
    example: '1042',
    pattern: '^[0-9]{1,19}$',
  })
  @IsOptional()
  @IsLogPosition()
  atPosition?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 10_000, default: 2_000 })
  @IsOptional()
  @WholeNumber()
  @IsInt({ message: 'waitMs must be a whole number from 0 to 10000' })
  @Min(0, { message: 'waitMs must be a whole number from 0 to 10000' })
  @Max(10_000, { message: 'waitMs must be a whole number from 0 to 10000' })
  waitMs?: number;
}

/**
 * Validates query parameters (or a small JSON body) against a DTO whose every
 * parameter is optional, which all of ours are: with none given there is
 * nothing to validate, and the common lookup skips class-validator.
 */
export function parseQuery<T extends object>(Dto: new () => T, query: unknown): T {
  if (isEmptyObject(query)) return new Dto();
  refuseForbiddenKeys(query);
  const instance = plainToInstance(Dto, query ?? {});
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    const problems = errors.flatMap((error) => Object.values(error.constraints ?? {}));
    throw new InvalidRequest(problems.join('; '));
  }
  return instance;
}

/** Documents the query parameters that `parseQuery` validates (the handlers take them raw). */
export function ApiConsistencyQuery(options: { paged?: boolean } = {}): MethodDecorator {
  const decorators = [
    ApiQuery({
      name: 'atPosition',
      required: false,
      description:
        'A log position from a webhook answer: the query waits (at most waitMs) until the read models include it.',
      schema: { type: 'string', pattern: '^[0-9]{1,19}$', example: '1042' },
    }),
    ApiQuery({
      name: 'waitMs',
      required: false,
      description: 'How long to wait for atPosition before answering 503.',
      schema: { type: 'integer', minimum: 0, maximum: 10_000, default: 2_000 },
    }),
  ];
  if (options.paged === true) {
    decorators.push(
      ApiQuery({
        name: 'limit',
        required: false,
        schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
      }),
      ApiQuery({
        name: 'offset',
        required: false,
        description: 'rows to skip',
        schema: { type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 },
      }),
    );
  }
  return applyDecorators(...decorators);
}

/**
 * class-transformer skips `__proto__` and whitelisting never sees it, so a
 * forbidden key would pass unnoticed (or, in a body, reach a prototype).
 */
function refuseForbiddenKeys(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) throw new InvalidRequest(`the parameter ${key} is not allowed`);
    refuseForbiddenKeys((value as Record<string, unknown>)[key]);
  }
}

/** JSON.parse for small request bodies: a forbidden key anywhere is a 400. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text, (key: string, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKeyError(key);
      return value;
    });
  } catch (error) {
    if (error instanceof ForbiddenKeyError) {
      throw new InvalidRequest(`the body contains the forbidden key "${error.key}"`);
    }
    throw new InvalidRequest('the body is not JSON');
  }
}

class ForbiddenKeyError extends Error {
  constructor(readonly key: string) {
    super(`forbidden key ${key}`);
  }
}

function isEmptyObject(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value !== 'object' || Array.isArray(value)) return false;
  for (const _ in value) return false;
  return true;
}
