import { Injectable } from '@nestjs/common';
import { Erasure } from '../erasure/erasure.service';
import { revealAnswer } from '../erasure/reveal.interceptor';
import { NotFound, PositionNotReached } from '../ledger/errors';
import { LiveProjections } from '../read-models/live-projections';
import type { ReadModels } from '../read-models/read-models';
import { parseQuery, type ConsistencyQuery } from './query-params';

const DEFAULT_WAIT_MS = 2_000;

/**
 * The path every query route takes, written once: validate the query
 * parameters, wait until the read models include the client's own write, then
 * read, then show the answer's pseudonym tokens as what they stand for
 * (`revealAnswer`, what the RevealInterceptor does for the other routes). A
 * client that passes the `position` a webhook answer returned gets answers
 * that include that delivery, or a 503 saying the read models are not there
 * yet.
 */
@Injectable()
export class ConsistentReads {
  constructor(
    private readonly projections: LiveProjections,
    private readonly erasure: Erasure,
  ) {}

  async answer<Q extends ConsistencyQuery, T>(
    Query: new () => Q,
    raw: unknown,
    read: (readModels: ReadModels, query: Q) => T,
  ): Promise<Awaited<T>> {
    const query = parseQuery(Query, raw);
    await this.reach(query);
    return revealAnswer(this.erasure, await read(this.projections.current.readModels, query));
  }

  private async reach(query: ConsistencyQuery): Promise<void> {
    if (query.atPosition === undefined) return;
    const waitMs = query.waitMs ?? DEFAULT_WAIT_MS;
    if (await this.projections.waitForPosition(BigInt(query.atPosition), waitMs)) return;
    throw new PositionNotReached(query.atPosition, waitMs);
  }
}

/** What a read found, or a 404 saying what is missing. */
export function found<T>(value: T | undefined, missing: string): T {
  if (value === undefined) throw new NotFound(missing);
  return value;
}
