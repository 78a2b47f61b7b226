/**
 * Refir (no documented schema, docs/providers.md#refir-body) and Standard Webhooks senders:
 * what looks like a referral (someone referred and their referrer) is projected
 * as a pending, unverified-by-provider referral; anything else is reported as
 * not understood and stays in the log.
 */
import type { JsonObject } from '../../ledger/json';
import type { LedgerChange, ParticipantObserved, ReferralStatus } from '../../ledger/reward-ledger';
import { emailAt, fullName, objectAt, textAt } from '../../ledger/json';
import type { WebhookFacts } from '../../ledger/webhook-facts';
import { changes, notUnderstood, ref, type Translate } from '../../ledger/translation';

const FRIEND_KEYS = ['lead', 'referred', 'friend', 'user', 'referee'];
const REFERRER_KEYS = ['referrer', 'referringUser', 'referrer_user', 'advocate'];

export const translateGenericReferral: Translate = (webhook) => {
  const body =
    webhook.provider === 'standard' ? objectAt(webhook.payload, 'data') : webhook.payload;
  if (body === undefined) return notUnderstood('no data object');
  const friend = firstObject(body, FRIEND_KEYS);
  const referrer = firstObject(body, REFERRER_KEYS);
  const friendId = idOf(friend) ?? textAt(body, 'referredId') ?? textAt(body, 'friendId');
  const referrerId = idOf(referrer) ?? textAt(body, 'referrerId');
  if (friendId === null || referrerId === null) {
    return notUnderstood('no referred person and referrer recognised');
  }
  const list: LedgerChange[] = [
    person(webhook, friendId, friend),
    person(webhook, referrerId, referrer),
    {
      type: 'referral-observed',
      referralId: textAt(body, 'referralId') ?? textAt(body, 'id') ?? `${referrerId}>${friendId}`,
      provider: webhook.provider,
      tenant: webhook.tenantId,
      campaignKey: null,
      advocate: ref(webhook, referrerId),
      friend: ref(webhook, friendId),
      status: statusOf(webhook.providerEventType, textAt(body, 'status')),
      order: null,
    },
  ];
  return changes(...list);
};

function firstObject(body: JsonObject, keys: readonly string[]): JsonObject | undefined {
  for (const key of keys) {
    const value = objectAt(body, key);
    if (value !== undefined) return value;
  }
  return undefined;
}

function idOf(person: JsonObject | undefined): string | null {
  return textAt(person, 'id') ?? emailAt(person, 'email');
}

function person(
  webhook: WebhookFacts,
  id: string,
  body: JsonObject | undefined,
): ParticipantObserved {
  return {
    type: 'participant-observed',
    participant: ref(webhook, id),
    email: emailAt(body, 'email'),
    name: textAt(body, 'name') ?? fullName(body, 'firstName', 'lastName'),
    campaignKey: null,
    facts: {},
    sequence: null,
  };
}

/** `referral.approved`, `referral.voided`… or a `status` field; anything else is pending. */
function statusOf(type: string, status: string | null): ReferralStatus {
  const word = (status ?? type.split('.').pop() ?? '').toLowerCase();
  if (['approved', 'converted', 'completed', 'successful'].includes(word)) return 'approved';
  if (['voided', 'cancelled', 'canceled', 'rejected'].includes(word)) return 'voided';
  return 'pending';
}
