/**
 * `POST /webhooks/talkable`: a legacy form webhook, or a signed Custom App JSON
 * delivery; the content type says which.
 */
import type { WebhooksConfig } from '../../config/app-config';
import { rejectContentType, rejectNotConfigured } from '../../ledger/errors';
import type { AcceptDelivery } from '../provider-intake';
import { isJsonMediaType, mediaTypeOf } from '../shared/http-facts';
import { acceptTalkableCustomApp, TALKABLE_SIGNATURE_HEADER } from './talkable-custom-app-intake';
import { acceptTalkableLegacy } from './talkable-legacy-intake';

const FORM = 'application/x-www-form-urlencoded';

export function createTalkableIntake(config: WebhooksConfig['talkable']): AcceptDelivery {
  return (request) => {
    if (config.keys.length === 0) {
      throw rejectNotConfigured('TALKABLE_WEBHOOK_KEY (or TALKABLE_WEBHOOK_KEYS)');
    }
    const mediaType = mediaTypeOf(request.headers);
    if (mediaType === FORM) return acceptTalkableLegacy(request, config.keys);
    const signature = request.headers[TALKABLE_SIGNATURE_HEADER];
    if (isJsonMediaType(mediaType) && signature !== undefined) {
      return acceptTalkableCustomApp(request, config.keys, signature);
    }
    throw rejectContentType(
      `expected ${FORM}, or application/json with ${TALKABLE_SIGNATURE_HEADER}; got ${
        mediaType ?? 'no content type'
      }${isJsonMediaType(mediaType) ? ' without a signature' : ''}`,
    );
  };
}
