import { Injectable } from '@nestjs/common';
import { PositionNotReached } from '../ledger/errors';
import { LiveProjections } from '../read-models/live-projections';
import type { ConsistencyQuery } from './query-params';

const DEFAULT_WAIT_MS = 2_000;

/**
 * A client that passes the `position` a webhook answer returned gets answers
 * that include that delivery, or a 503 saying the read models are not there yet.
 */
@Injectable()
export class ReadYourWrites {
  constructor(private readonly projections: LiveProjections) {}

  async reach(query: ConsistencyQuery): Promise<void> {
    if (query.atPosition === undefined) return;
    const waitMs = query.waitMs ?? DEFAULT_WAIT_MS;
    if (await this.projections.waitForPosition(BigInt(query.atPosition), waitMs)) return;
    throw new PositionNotReached(query.atPosition, waitMs);
  }
}
