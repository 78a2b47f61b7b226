import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { Erasure } from './erasure.service';

/**
 * A route's answer with the pseudonym tokens of subjects still held shown as
 * the email or name they stand for; erased ones stay pseudonyms. Only JSON
 * answers are looked at (not a Buffer, a string or nothing).
 */
export function revealAnswer<T>(erasure: Erasure, body: T): T {
  if (erasure.keys === undefined) return body;
  return body !== null && typeof body === 'object' && !Buffer.isBuffer(body)
    ? erasure.reveal(body)
    : body;
}

/**
 * Every answer of the audit, subjects and operations routes that do not read
 * through ConsistentReads passes here (not the intake: it answers nothing
 * personal). Reads through ConsistentReads are revealed there, with the same
 * `revealAnswer`: Nest's interceptor chain costs about 110 µs of CPU per
 * request on Node 20 (two AsyncResource.bind, each building a deprecation
 * wrapper, and several rxjs subscriptions), a third of a participant lookup.
 */
@Injectable()
export class RevealInterceptor implements NestInterceptor {
  constructor(private readonly erasure: Erasure) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.erasure.keys === undefined) return next.handle();
    return next.handle().pipe(map((body: unknown) => revealAnswer(this.erasure, body)));
  }
}
