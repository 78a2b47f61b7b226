import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Forbidden, Unauthorized } from '../ledger/errors';
import { API_KEYS, type ApiKeys, type Scope } from './api-keys';

const SCOPE = 'referral-ledger:scope';

/** The scope a route needs; admin keys also pass read routes. */
export const RequireScope = (scope: Scope): MethodDecorator & ClassDecorator =>
  SetMetadata(SCOPE, scope);

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEYS) private readonly keys: ApiKeys,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const needed = this.reflector.getAllAndOverride<Scope | undefined>(SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (needed === undefined) return true;
    const presented = presentedKey(context.switchToHttp().getRequest<FastifyRequest>());
    if (presented === undefined) {
      throw new Unauthorized('send an API key as "Authorization: Bearer <key>" or "x-api-key"');
    }
    const granted = this.keys.scopeOf(presented);
    if (granted === null) throw new Unauthorized('unknown API key');
    if (needed === 'admin' && granted !== 'admin') throw new Forbidden('this needs an admin key');
    return true;
  }
}

function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && /^bearer\s+/i.test(authorization)) {
    return authorization.replace(/^bearer\s+/i, '').trim() || undefined;
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header !== '' ? header : undefined;
}
