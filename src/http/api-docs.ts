/**
 * The OpenAPI document (/docs-json, Swagger UI at /docs): every route with its
 * success schema and the problem+json answers it can give, the API keys as
 * they are (opaque, as a bearer token or in x-api-key), and the webhook
 * endpoints with how each is verified.
 */
import { applyDecorators } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  ApiBearerAuth,
  ApiResponse,
  ApiSecurity,
  DocumentBuilder,
  SwaggerModule,
} from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { PROBLEM_SCHEMA } from './response-schemas';

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

const WHEN: Readonly<Record<number, string>> = {
  400: 'a parameter or the body is not what the route takes',
  401: 'no API key, or a key that is not configured; for webhooks, the signature or key does not verify',
  403: 'the API key lacks the scope (read or admin) this route needs',
  404: 'nothing with this id',
  408: 'the request did not arrive in time',
  409: 'a rebuild is already running',
  413: 'the body is larger than the configured limit, or than the event store takes',
  414: 'a path segment is too long',
  415: 'the body has a content type this provider never sends',
  503: 'the event store is not answering, the provider is not configured, or the read models have not reached atPosition within waitMs; retry after Retry-After',
};

/** The problem+json answers a route can give, each described. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: WHEN[status] ?? 'refused',
        content: { 'application/problem+json': { schema: PROBLEM_REF } },
      }),
    ),
  );
}

/** The 200 answer's schema (and an example, where one helps). */
export function ApiAnswer(
  schema: SchemaObject,
  description = 'OK',
): MethodDecorator & ClassDecorator {
  return ApiResponse({ status: 200, description, content: { 'application/json': { schema } } });
}

export function setUpApiDocs(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('referral-ledger')
      .setDescription(
        'Reward balances, referral counts, campaign state and review requests, projected from the log of verified webhook deliveries. Every error is application/problem+json (RFC 9457).',
      )
      .setVersion('1')
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key from API_READ_KEYS (read scope) or API_ADMIN_KEYS (admin scope), sent as "Authorization: Bearer <key>". The keys are opaque strings, not JWTs.',
        },
        'bearer',
      )
      .addApiKey(
        {
          type: 'apiKey',
          in: 'header',
          name: 'x-api-key',
          description: 'The same API key, in the x-api-key header instead.',
        },
        'x-api-key',
      )
      .build(),
  );
  // The builder marks bearer tokens as JWTs; ours are opaque keys.
  const bearer = document.components?.securitySchemes?.bearer;
  if (bearer !== undefined && 'bearerFormat' in bearer) delete bearer.bearerFormat;
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA },
  };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

/** Either form of the API key is accepted (OpenAPI lists alternatives as separate requirements). */
export function ApiKeyAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiBearerAuth('bearer'), ApiSecurity('x-api-key'));
}
