import { rejectBadSignature } from '../../ledger/errors';
import { safeEqual } from '../shared/secrets';

/**
 * Refir signs nothing and lets its users configure only a URL (docs/providers.md#refir-token),
 * so the URL carries an unguessable token. Both sides are hashed with SHA-256
 * before a constant-time compare, so neither the length nor a prefix leaks.
 */
export function verifyRefirToken(presented: string | undefined, configured: string): void {
  if (!safeEqual(presented ?? '', configured)) {
    throw rejectBadSignature('the path token does not match REFIR_WEBHOOK_TOKEN');
  }
}
