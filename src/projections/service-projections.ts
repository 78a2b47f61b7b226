import type { AppConfig } from '../config/app-config';
import { ledgerProjection } from './rewards/ledger.projection';
import type { Projection } from './projection';
import { reviewRequestsProjection } from './reviews/review-requests.projection';
import { unsubscribesProjection } from './unsubscribes/unsubscribes.projection';

/** Every projection the service keeps; the rebuild and `npm run verify` use the same list. */
export function serviceProjections(
  config: Pick<AppConfig, 'defaultCurrencies'>,
): readonly Projection[] {
  return [
    ledgerProjection({ defaultCurrencies: config.defaultCurrencies }),
    reviewRequestsProjection,
    unsubscribesProjection,
  ];
}
