/**
 * Wix Referral Program (docs/providers.md#wix-referral-program). Referring customers and referred
 * friends are entities ordered by `entityEventSequence`; their observations
 * carry the sequence, and evolve applies only a higher one. Referral events are
 * only ever created: each is a fact of its own.
 *
 * A referral is the referred friend (one friend, one referrer). A reward event
 * means Wix gave the reward (coupon issued, points credited): status `paid`.
 */
import type { JsonObject, JsonValue } from '../../ledger/json';
import {
  campaignKey,
  type LedgerChange,
  type ParticipantObserved,
  type ReferralStatus,
  type RewardKind,
} from '../../ledger/reward-ledger';
import { isObject, objectAt, textAt } from '../../ledger/json';
import type { WebhookFacts } from '../../ledger/webhook-facts';
import {
  changes,
  notUnderstood,
  orderOf,
  ref,
  type Translate,
  type Translation,
  type TranslationContext,
} from '../../ledger/translation';

const CUSTOMER = 'wix.loyalty.referral.v1.referring_customer';
const FRIEND = 'wix.loyalty.referral.v1.referred_friend';
const REFERRAL_EVENT = 'wix.loyalty.referral.v1.referral_event';
const PROGRAM = 'wix.loyalty.referral.v1.program';

export const WIX_REFERRAL_FQDNS: readonly string[] = [CUSTOMER, FRIEND, REFERRAL_EVENT, PROGRAM];

export const translateWixReferrals: Translate = (webhook, context) => {
  const event = objectAt(webhook.payload, 'data');
  const fqdn = textAt(event, 'entityFqdn') ?? webhook.entity.fqdn;
  const entityId = textAt(event, 'entityId') ?? webhook.entity.id;
  if (event === undefined || entityId === null) return notUnderstood('Wix event without entity');
  const deleted = isObject(event.deletedEvent);
  const entity =
    bodyOf(objectAt(event, 'createdEvent')?.entity) ??
    bodyOf(objectAt(event, 'updatedEvent')?.currentEntity) ??
    bodyOf(objectAt(event, 'deletedEvent')?.deletedEntity);
  const program = campaignKey('wix', webhook.tenantId, 'program');
  // Only a deletion may omit its entity (then `entityId` says what went).
  if (entity === undefined && !deleted && fqdn !== REFERRAL_EVENT) {
    return notUnderstood(`Wix ${fqdn ?? webhook.providerEventType} event without its entity`);
  }
  switch (fqdn ?? '') {
    case CUSTOMER:
      return changes(
        programChange(webhook, null),
        entityChange(webhook, entityId, entity, deleted),
      );
    case FRIEND: {
      const friend = entityChange(webhook, entityId, entity, deleted);
      const advocateId = textAt(entity, 'referringCustomerId');
      const list: LedgerChange[] = [programChange(webhook, null), friend];
      if (advocateId !== null) list.push(plainParticipant(webhook, advocateId));
      list.push({
        type: 'referral-observed',
        referralId: entityId,
        provider: 'wix',
        tenant: webhook.tenantId,
        campaignKey: program,
        advocate: advocateId === null ? null : ref(webhook, advocateId),
        friend: friend.participant,
        status: deleted ? 'removed' : friendStatus(textAt(entity, 'status')),
        order: null,
      });
      return changes(...list);
    }
    case REFERRAL_EVENT:
      return entity === undefined
        ? notUnderstood('referral event without createdEvent.entity')
        : referralEvent(webhook, entity, program, context);
    case PROGRAM:
      return changes(programChange(webhook, textAt(entity, 'name')));
    default:
      return notUnderstood(`Wix ${fqdn ?? webhook.providerEventType} is not a referral entity`);
  }
};

function referralEvent(
  webhook: WebhookFacts,
  entity: JsonObject,
  program: string,
  context: TranslationContext,
): Translation {
  const signup = objectAt(entity, 'referredFriendSignupEvent');
  const success = objectAt(entity, 'successfulReferralEvent');
  const action = objectAt(entity, 'actionEvent');
  const reward = objectAt(entity, 'rewardEvent');
  const occurrence = success ?? action ?? signup;
  if (occurrence !== undefined) {
    const friendId = textAt(occurrence, 'referredFriendId');
    if (friendId === null) return notUnderstood('referral event without referredFriendId');
    const advocateId = textAt(occurrence, 'referringCustomerId');
    const status: ReferralStatus = success !== undefined ? 'approved' : 'pending';
    const order =
      action === undefined
        ? null
        : orderOf(
            textAt(action, 'orderId') ?? textAt(entity, 'id') ?? '-',
            textAt(action, 'amount'),
            textAt(action, 'currency'),
            webhook.source,
            context,
          );
    return changes(
      programChange(webhook, null),
      plainParticipant(webhook, friendId),
      ...(advocateId === null ? [] : [plainParticipant(webhook, advocateId)]),
      {
        type: 'referral-observed',
        referralId: friendId,
        provider: 'wix',
        tenant: webhook.tenantId,
        campaignKey: program,
        advocate: advocateId === null ? null : ref(webhook, advocateId),
        friend: ref(webhook, friendId),
        status,
        order: order?.order ?? null,
      },
      ...(order?.unreadable ?? []),
    );
  }
  if (reward !== undefined) {
    const rewardId = textAt(reward, 'referralRewardId') ?? textAt(entity, 'id');
    // The friend-side field name is unconfirmed (docs/providers.md#wix-reward-owner).
    const friendId = textAt(reward, 'rewardedReferredFriendId');
    const ownerId = textAt(reward, 'rewardedReferringCustomerId') ?? friendId;
    if (rewardId === null) return notUnderstood('reward event without referralRewardId');
    const type = textAt(reward, 'rewardType');
    const kind: RewardKind =
      type === 'COUPON' ? 'coupon' : type === 'LOYALTY_POINTS' ? 'points' : 'other';
    return changes(
      programChange(webhook, null),
      ...(ownerId === null ? [] : [plainParticipant(webhook, ownerId)]),
      {
        type: 'reward-observed',
        provider: 'wix',
        tenant: webhook.tenantId,
        providerRewardId: rewardId,
        owner: ownerId === null ? null : ref(webhook, ownerId),
        side: ownerId === null ? null : friendId === ownerId ? 'friend' : 'advocate',
        kind,
        // Wix tells neither the coupon's value nor the number of points in the event.
        value: { kind: 'none' },
        status: 'paid',
        couponCode: null,
        description: type,
        campaignKey: program,
        referralId: friendId,
      },
    );
  }
  return notUnderstood('referral event of an unknown kind');
}

function friendStatus(status: string | null): ReferralStatus {
  return status === 'ACTIONS_COMPLETED' ? 'approved' : 'pending';
}

/**
 * A sequenced snapshot: evolve replaces the entity's facts with these when the
 * sequence is higher, so the outcome is the highest sequence's, in any order.
 */
function entityChange(
  webhook: WebhookFacts,
  id: string,
  entity: JsonObject | undefined,
  deleted: boolean,
): ParticipantObserved {
  const contactId = textAt(entity, 'contactId');
  const referralCode = textAt(entity, 'referralCode');
  const status = textAt(entity, 'status');
  return {
    ...plainParticipant(webhook, id),
    facts: {
      ...(contactId === null ? {} : { contactId }),
      ...(referralCode === null ? {} : { referralCode }),
      ...(status === null ? {} : { providerStatus: status }),
      removed: deleted,
    },
    sequence: webhook.entity.sequence ?? '0',
  };
}

function plainParticipant(webhook: WebhookFacts, id: string): ParticipantObserved {
  return {
    type: 'participant-observed',
    participant: ref(webhook, id),
    email: null,
    name: null,
    campaignKey: campaignKey('wix', webhook.tenantId, 'program'),
    facts: {},
    sequence: null,
  };
}

function programChange(webhook: WebhookFacts, name: string | null): LedgerChange {
  return {
    type: 'campaign-observed',
    provider: 'wix',
    tenant: webhook.tenantId,
    providerCampaignId: 'program',
    name,
    ended: null,
    rewardConfig: null,
    providerCounts: null,
  };
}

/**
 * Bodies should arrive parsed; the SDK types them as JSON strings, so accept both
 * (docs/providers.md#wix-json-in-strings).
 */
export function bodyOf(value: JsonValue | undefined): JsonObject | undefined {
  if (isObject(value)) return value;
  if (typeof value !== 'string') return undefined;
  try {
    const parsed = JSON.parse(value) as JsonValue;
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
