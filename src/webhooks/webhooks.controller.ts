import { applyDecorators, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiProblems } from '../http/api-docs';
import { WEBHOOK_ANSWER_SCHEMA } from '../http/response-schemas';
import type { FastifyRequest } from 'fastify';
import { noteDeliveryAnswer } from '../observability/access-log';
import type { Provider } from '../ledger/webhook-received';
import { rejectMalformed } from '../ledger/errors';
import { WebhooksService, type WebhookAnswer } from './webhooks.service';

/**
 * Each route hands the raw bytes on untouched: signatures are verified on
 * them before anything is parsed. Answers are exactly 200 (Wix accepts no other 2xx).
 */
/** What every intake answers: 200 only once the delivery is durable, else a problem. */
const ApiWebhookAnswers = (): MethodDecorator =>
  applyDecorators(
    ApiAnswer(
      WEBHOOK_ANSWER_SCHEMA,
      'Recorded durably (or found to be a duplicate of a recorded delivery, counted once)',
    ),
    ApiProblems(400, 401, 413, 415, 503),
  );

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('wix')
  @HttpCode(200)
  @ApiWebhookAnswers()
  @ApiOperation({
    summary: 'Wix Referral Program and Wix Reviews webhooks',
    description:
      'The body is the JWT Wix sends (RS256), verified against WIX_APP_PUBLIC_KEY(S) before anything is parsed. Updates of one entity are ordered by entityEventSequence.',
  })
  @ApiConsumes('text/plain')
  @ApiBody({ schema: { type: 'string', description: 'a compact JWT' } })
  wix(@Req() request: FastifyRequest): Promise<WebhookAnswer> {
    return this.receive('wix', request, {});
  }

  @Post('talkable')
  @HttpCode(200)
  @ApiWebhookAnswers()
  @ApiOperation({
    summary: 'Talkable webhooks',
    description:
      "Legacy webhooks are a form post whose `key` field must equal the site's key (TALKABLE_WEBHOOK_KEY(S)); the key is never stored. Custom App webhooks are JSON signed in X-Talkable-Signature. A check_unsubscribe_web_hook is answered with `unsubscribed`.",
  })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiHeader({
    name: 'x-talkable-signature',
    required: false,
    description: 'Custom App webhooks: base64 of the hex HMAC-SHA256 of the body',
  })
  @ApiBody({ schema: { type: 'string', description: 'key, site, type and payload (JSON)' } })
  talkable(@Req() request: FastifyRequest): Promise<WebhookAnswer> {
    return this.receive('talkable', request, {});
  }

  @Post('growsurf')
  @HttpCode(200)
  @ApiWebhookAnswers()
  @ApiOperation({
    summary: 'GrowSurf webhooks',
    description:
      'Verified with GrowSurf-Signature: `ts=<Unix milliseconds>,v=<hex HMAC-SHA256 of "ts.body">` under GROWSURF_WEBHOOK_SECRET(S), within GROWSURF_SIGNATURE_TOLERANCE_SECONDS.',
  })
  @ApiConsumes('application/json')
  @ApiHeader({ name: 'growsurf-signature', required: true })
  @ApiBody({ schema: { type: 'object', additionalProperties: true } })
  growsurf(@Req() request: FastifyRequest): Promise<WebhookAnswer> {
    return this.receive('growsurf', request, {});
  }

  @Post('refir/:token')
  @HttpCode(200)
  @ApiWebhookAnswers()
  @ApiOperation({
    summary: 'Refir webhooks',
    description:
      'Refir signs nothing: the secret token in the URL (REFIR_WEBHOOK_TOKEN) is the proof, so keep the URL secret. It is never repeated in an answer or a log line.',
  })
  @ApiConsumes('application/json')
  @ApiParam({ name: 'token', description: 'REFIR_WEBHOOK_TOKEN (24 to 256 URL-safe characters)' })
  @ApiBody({ schema: { type: 'object', additionalProperties: true } })
  refir(@Req() request: FastifyRequest, @Param('token') token: string): Promise<WebhookAnswer> {
    return this.receive('refir', request, { token });
  }

  @Post('standard/:source')
  @HttpCode(200)
  @ApiWebhookAnswers()
  @ApiOperation({
    summary: 'Standard Webhooks (and Svix) senders',
    description:
      "Verified per Standard Webhooks v1 (webhook-id, webhook-timestamp, webhook-signature, or the svix- forms) under the source's secrets in STANDARD_WEBHOOK_SOURCES; webhook-id is the dedupe key.",
  })
  @ApiConsumes('application/json')
  @ApiParam({ name: 'source', description: 'a source name configured in STANDARD_WEBHOOK_SOURCES' })
  @ApiHeader({ name: 'webhook-id', required: true })
  @ApiHeader({ name: 'webhook-timestamp', required: true, description: 'Unix seconds' })
  @ApiHeader({ name: 'webhook-signature', required: true, description: 'v1,<base64 HMAC-SHA256>' })
  @ApiBody({ schema: { type: 'object', additionalProperties: true } })
  standard(
    @Req() request: FastifyRequest,
    @Param('source') source: string,
  ): Promise<WebhookAnswer> {
    return this.receive('standard', request, { source });
  }

  private receive(
    provider: Provider,
    request: FastifyRequest,
    params: Record<string, string>,
  ): Promise<WebhookAnswer> {
    const body = Buffer.isBuffer(request.body) ? request.body : undefined;
    if (body === undefined || body.length === 0) throw rejectMalformed('the body is empty');
    return this.webhooks
      .receive(provider, { body, headers: request.headers, params })
      .then((answer) => {
        noteDeliveryAnswer(request, answer);
        return answer;
      });
  }
}
