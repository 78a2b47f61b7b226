/**
 * Re-verifies a stored delivery's provenance with the keys configured now:
 * the proof is the stored raw body and signature headers, checked again.
 * Pure apart from crypto; the answer says exactly what was checked.
 */
import type { WebhooksConfig } from '../config/app-config';
import type { WebhookReceived } from '../ledger/webhook-received';
import { verifyGrowsurfSignature } from '../providers/growsurf/growsurf-signature';
import {
  standardHeadersOf,
  verifyStandardSignature,
} from '../providers/standard/standard-signature';
import { verifyTalkableSignature } from '../providers/talkable/talkable-signature';
import { verifyWixJwt } from '../providers/wix/wix-jwt';
import { WebhookRejection } from '../ledger/errors';

export interface Reverification {
  /** verified: the stored bytes verify now; failed: they do not; not-verifiable: nothing signed was stored. */
  readonly result: 'verified' | 'failed' | 'not-verifiable';
  readonly method: WebhookReceived['verification']['method'];
  readonly checked: string;
  readonly keyId?: string;
  readonly reason?: string;
}

export function reverifyDelivery(event: WebhookReceived, config: WebhooksConfig): Reverification {
  const { method } = event.verification;
  const body = Buffer.from(event.delivery.body, 'utf8');
  const receivedAt = new Date(event.receivedAt);
  const attempt = (checked: string, verify: () => string): Reverification => {
    try {
      return { result: 'verified', method, checked, keyId: verify() };
    } catch (error) {
      const reason = error instanceof WebhookRejection ? error.detail : 'verification threw';
      return { result: 'failed', method, checked, reason };
    }
  };
  switch (method) {
    case 'wix-jwt-rs256':
      return attempt('the stored JWT, RS256, against the configured Wix app public keys', () => {
        const verified = verifyWixJwt(event.delivery.body, config.wix.keys, receivedAt);
        return verified.keyId;
      });
    case 'growsurf-signature':
      return attempt(
        'GrowSurf-Signature recomputed over the stored raw body with the configured secrets',
        () =>
          verifyGrowsurfSignature(
            body,
            event.delivery.headers['growsurf-signature'],
            config.growsurf.secrets,
            receivedAt,
            config.growsurf.toleranceMs,
          ),
      );
    case 'standard-webhooks-v1': {
      const source = config.standard.sources.get(event.source);
      if (source === undefined) {
        return {
          result: 'failed',
          method,
          checked: 'nothing',
          reason: `source ${event.source} is no longer configured`,
        };
      }
      return attempt(
        'webhook-signature recomputed over id.timestamp.body with the source secrets',
        () =>
          verifyStandardSignature(
            body,
            standardHeadersOf(event.delivery.headers),
            source.secrets,
            receivedAt,
            config.standard.toleranceSeconds,
          ),
      );
    }
    case 'talkable-signature':
      return attempt(
        'x-talkable-signature recomputed over the stored raw body with the configured keys',
        () =>
          verifyTalkableSignature(
            body,
            undefined,
            event.delivery.headers['x-talkable-signature'] ?? '',
            config.talkable.keys,
          ),
      );
    case 'talkable-key':
      return {
        result: 'not-verifiable',
        method,
        checked: 'nothing',
        reason:
          'legacy Talkable deliveries carry a shared key, not a signature, and the key is never stored',
      };
    case 'refir-path-token':
      return {
        result: 'not-verifiable',
        method,
        checked: 'nothing',
        reason: 'Refir signs nothing; the delivery was accepted on a secret URL token',
      };
  }
}
