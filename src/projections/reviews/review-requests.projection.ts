/**
 * Wix Reviews review requests (docs/providers.md#wix-reviews): one document per request,
 * replaced only by an event with a higher `entityEventSequence` (compared as
 * BigInt). A stale or repeated event changes nothing and is recorded as
 * superseded or duplicate. A deletion leaves a tombstone holding the sequence,
 * so a late "created" cannot resurrect the request.
 */
import type { JsonObject } from '../../ledger/json';
import { arrayAt, isObject, objectAt, textAt } from '../../ledger/json';
import { bodyOf } from '../../providers/wix/wix-translate';
import {
  isKnownWixEvent,
  isWixReviewRequestEvent,
  WIX_REVIEW_REQUEST_FQDN as FQDN,
} from '../../providers/wix/wix-events';
import { IGNORED, notUnderstood, type DocumentBody, type Projection } from '../projection';
import type { WebhookFacts } from '../../ledger/webhook-facts';

export const REVIEW_REQUESTS = 'review-request';

export type ReviewRequestDoc = {
  readonly key: string;
  readonly tenant: string | null;
  readonly reviewRequestId: string;
  readonly sequence: string;
  readonly eventId: string;
  readonly deleted: boolean;
  readonly status: string | null;
  readonly namespace: string | null;
  readonly orderId: string | null;
  readonly orderNumber: string | null;
  readonly items: readonly {
    readonly catalogItemId: string | null;
    readonly reviewId: string | null;
  }[];
  readonly recipientContactId: string | null;
  readonly communicationChannel: string | null;
  readonly sendDate: string | null;
  readonly createdDate: string | null;
  readonly updatedDate: string | null;
};

export function reviewRequestKey(tenant: string | null, id: string): string {
  return `wix:${tenant ?? '-'}:${id}`;
}

export const reviewRequestsProjection: Projection = {
  name: 'review-requests',
  version: 3,
  collections: [REVIEW_REQUESTS],
  plan(event) {
    const { webhook, cause } = event;
    if (!isWixReviewRequest(webhook)) return IGNORED;
    const domain = objectAt(webhook.payload, 'data');
    const id = textAt(domain, 'entityId') ?? webhook.entity.id;
    if (domain === undefined || id === null)
      return notUnderstood('review request event without entityId');
    const slug = textAt(domain, 'slug');
    if (!isKnownWixEvent(webhook.providerEventType, textAt(domain, 'entityFqdn') ?? FQDN, slug)) {
      return notUnderstood(`review request event ${slug ?? webhook.providerEventType} is not read`);
    }
    if (!isObject(domain.deletedEvent) && entityOf(domain) === undefined) {
      return notUnderstood('review request event without its entity');
    }
    const ref = { collection: REVIEW_REQUESTS, key: reviewRequestKey(webhook.tenantId, id) };
    const sequence = webhook.entity.sequence ?? '0';
    return {
      kind: 'apply',
      evolve(lookup) {
        const current = lookup(ref) as ReviewRequestDoc | undefined;
        if (current !== undefined && BigInt(sequence) <= BigInt(current.sequence)) {
          const outcome = current.eventId === cause.eventId ? 'duplicate' : 'superseded';
          return { documents: [], entries: [entry(ref.key, outcome, sequence, current.sequence)] };
        }
        const doc = snapshot(ref.key, webhook.tenantId, id, sequence, cause.eventId, domain);
        return {
          documents: [{ ...ref, body: doc }],
          entries: [entry(ref.key, 'applied', sequence, current?.sequence ?? null)],
        };
      },
    };
  },
};

function isWixReviewRequest(webhook: WebhookFacts): boolean {
  return (
    webhook.provider === 'wix' &&
    isWixReviewRequestEvent(webhook.entity.fqdn, webhook.providerEventType)
  );
}

function entityOf(domain: JsonObject): JsonObject | undefined {
  return (
    bodyOf(objectAt(domain, 'createdEvent')?.entity) ??
    bodyOf(objectAt(domain, 'updatedEvent')?.currentEntity) ??
    bodyOf(objectAt(domain, 'deletedEvent')?.deletedEntity)
  );
}

function snapshot(
  key: string,
  tenant: string | null,
  id: string,
  sequence: string,
  eventId: string,
  domain: JsonObject,
): ReviewRequestDoc {
  const deleted = isObject(domain.deletedEvent);
  const entity = entityOf(domain);
  const order = objectAt(entity, 'order');
  return {
    key,
    tenant,
    reviewRequestId: id,
    sequence,
    eventId,
    deleted,
    status: textAt(entity, 'status'),
    namespace: textAt(entity, 'namespace'),
    orderId: textAt(order, 'id'),
    orderNumber: textAt(order, 'number'),
    items: arrayAt(entity, 'items')
      .filter(isObject)
      .map((item) => ({
        catalogItemId: textAt(item, 'catalogItemId'),
        reviewId: textAt(item, 'reviewId'),
      })),
    recipientContactId: textAt(objectAt(entity, 'recipient'), 'contactId'),
    communicationChannel: textAt(entity, 'communicationChannel'),
    sendDate: textAt(entity, 'sendDate'),
    createdDate: textAt(entity, 'createdDate'),
    updatedDate: textAt(entity, 'updatedDate'),
  };
}

function entry(
  key: string,
  outcome: 'applied' | 'duplicate' | 'superseded',
  sequence: string,
  applied: string | null,
): {
  entityKind: string;
  entityKey: string;
  ownerKey: null;
  outcome: typeof outcome;
  detail: DocumentBody;
} {
  return {
    entityKind: REVIEW_REQUESTS,
    entityKey: key,
    ownerKey: null,
    outcome,
    detail: { sequence, appliedSequence: applied },
  };
}
