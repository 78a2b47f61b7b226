/**
 * Legacy webhooks carry no signature: the form field `key` is the site's
 * webhook security key itself (docs/providers.md#talkable-key), compared in constant time.
 */
import type { NamedSecret } from '../../config/app-config';
import { rejectBadSignature } from '../../ledger/errors';
import { secretsForTenant } from '../shared/secret-selection';
import { safeEqual } from '../shared/secrets';

/** Returns the id of the configured key that matches (`site` or `*`); throws 401 otherwise. */
export function verifyTalkableKey(
  presented: string,
  site: string,
  keys: readonly NamedSecret[],
): string {
  let matched: string | undefined;
  // Every candidate is compared, so the time taken does not say which one matched.
  for (const { id, secret } of secretsForTenant(keys, site)) {
    if (safeEqual(presented, secret) && matched === undefined) matched = id;
  }
  if (matched === undefined) {
    // Talkable shows our answers in its dashboard: a site is named only when it
    // is one of ours, never as the sender wrote it (a swapped field may hold the key).
    const ours = keys.some(({ id }) => id === site);
    throw rejectBadSignature(
      ours
        ? `the key does not match the one configured for site "${site}"`
        : 'the key does not match the one configured for this site',
    );
  }
  return matched;
}
