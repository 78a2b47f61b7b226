import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Provider } from '../ledger/webhook-received';
import { rejectMalformed } from './webhook-rejection';
import { WebhooksService, type WebhookAnswer } from './webhooks.service';

/**
 * Each route hands the raw bytes on untouched: signatures are verified on
 * them before anything is parsed. Answers are exactly 200 (Wix accepts no other 2xx).
 */
@ApiExcludeController()
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('wix')
  @HttpCode(200)
  wix(@Req() request: FastifyRequest): Promise<WebhookAnswer> {
    return this.receive('wix', request, {});
  }

  @Post('talkable')
  @HttpCode(200)
  talkable(@Req() request: FastifyRequest): Promise<WebhookAnswer> {
    return this.receive('talkable', request, {});
  }

  @Post('growsurf')
  @HttpCode(200)
  growsurf(@Req() request: FastifyRequest): Promise<WebhookAnswer> {
    return this.receive('growsurf', request, {});
  }

  @Post('refir/:token')
  @HttpCode(200)
  refir(@Req() request: FastifyRequest, @Param('token') token: string): Promise<WebhookAnswer> {
    return this.receive('refir', request, { token });
  }

  @Post('standard/:source')
  @HttpCode(200)
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
    return this.webhooks.receive(provider, { body, headers: request.headers, params });
  }
}
