/**
 * The audit console: static pages under /console that work against the same
 * REST API, with the API key the user enters. Nothing is built or fetched at
 * run time: plain ES modules and hand-drawn SVG, served from `public/` next to
 * this file (copied to dist by nest-cli.json's assets), so it works from
 * source (ts-node, jest) and from the build alike.
 */
import { join } from 'node:path';
import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const CONSOLE_PREFIX = '/console/';
export const CONSOLE_ROOT = join(__dirname, 'public');

/**
 * Only our own files: no inline script or style, no other origin, no framing.
 * The pages talk to this same origin only (`connect-src 'self'`).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function setConsoleHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', CONSOLE_CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
  // The files change with each release and are small: revalidate every time.
  reply.header('cache-control', 'no-cache');
}

@Module({})
export class ConsoleModule implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    // The static plugin redirects folders inside its prefix, not the prefix itself.
    fastify.get('/console', (_request, reply) => reply.redirect(CONSOLE_PREFIX, 301));
    // Queued, not awaited: awaiting would load Fastify's plugins now, and build
    // the contexts of the routes declared so far before Nest installs its error
    // handler (Fastify's own 413/415 would then lose their problem+json).
    void fastify.register(fastifyStatic, {
      root: CONSOLE_ROOT,
      prefix: CONSOLE_PREFIX,
      redirect: true,
      index: 'index.html',
      list: false,
      dotfiles: 'deny',
      // Swagger UI may have decorated the reply already; we need no helpers.
      decorateReply: false,
      setHeaders: setConsoleHeaders,
    });
  }
}
