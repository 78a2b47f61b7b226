import type { UnsubscribeLookup } from '../ledger/unsubscribe-lookup';
import type { ProjectionRunner } from './projection-runner';
import type { ReadModels } from './read-models';

/**
 * Talkable's check-unsubscribe question is itself recorded first: waiting for
 * its position means every unsubscribe recorded before it has been projected.
 * On timeout the answer is the best known one rather than an error.
 */
export function projectedUnsubscribeLookup(
  runner: ProjectionRunner,
  readModels: ReadModels,
  timeoutMs = 1000,
): UnsubscribeLookup {
  return {
    async isUnsubscribed(site, email, recordedUpTo) {
      await runner.waitForPosition(recordedUpTo, timeoutMs);
      return readModels.isUnsubscribed(site, email);
    },
  };
}
