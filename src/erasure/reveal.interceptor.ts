import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { Erasure } from './erasure.service';

/**
 * Every answer of the query, audit and subjects routes passes here (not the
 * intake: it answers nothing personal): pseudonym tokens of subjects still held are
 * shown as the email or name they stand for; erased ones stay pseudonyms.
 */
@Injectable()
export class RevealInterceptor implements NestInterceptor {
  constructor(private readonly erasure: Erasure) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.erasure.keys === undefined) return next.handle();
    return next
      .handle()
      .pipe(
        map((body: unknown) =>
          body !== null && typeof body === 'object' && !Buffer.isBuffer(body)
            ? this.erasure.reveal(body)
            : body,
        ),
      );
  }
}
