/**
 * JSON Schemas of what the routes answer, for the OpenAPI document. They are
 * written by hand from the read-model types; `test/e2e/api-docs.e2e-spec.ts`
 * validates real answers against them, so they cannot drift unnoticed.
 */
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

const text: SchemaObject = { type: 'string' };
const nullableText: SchemaObject = { type: 'string', nullable: true };
const count: SchemaObject = { type: 'integer', minimum: 0 };
const money: SchemaObject = {
  type: 'string',
  pattern: '^-?[0-9]+(\\.[0-9]+)?$',
  description: 'an exact decimal amount, never a float',
  example: '25.00',
};
const position: SchemaObject = {
  type: 'string',
  pattern: '^[0-9]{1,19}$',
  description: 'a log position (int64 as a decimal string)',
  example: '1042',
};
const key: SchemaObject = {
  type: 'string',
  description: 'provider:tenant:id (tenant `-` when unknown)',
  example: 'growsurf:ct8f71:x9a7uu',
};
const nullableKey: SchemaObject = { ...key, nullable: true };

function object(
  properties: Record<string, SchemaObject>,
  options: { optional?: readonly string[]; open?: boolean } = {},
): SchemaObject {
  const optional = new Set(options.optional ?? []);
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((name) => !optional.has(name)),
    additionalProperties: options.open === true,
  };
}

const arrayOf = (items: SchemaObject): SchemaObject => ({ type: 'array', items });

export function paged(item: SchemaObject): SchemaObject {
  return object({
    items: arrayOf(item),
    total: count,
    limit: { type: 'integer', minimum: 1, maximum: 200 },
    offset: count,
  });
}

export const PROBLEM_SCHEMA: SchemaObject = object(
  {
    type: { type: 'string', example: 'about:blank' },
    title: { type: 'string', example: 'Bad Request' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string', example: 'offset must be a whole number from 0 to 1000000000' },
    requestId: {
      type: 'string',
      description:
        "the request id, as in the x-request-id header and the log: the caller's own when it sent a sane one (up to 64 of A-Z a-z 0-9 . _ : -), else generated",
      example: '5b1f0f9e-2a5c-4a9b-9d1e-0c4f3c2a7e11',
    },
  },
  { optional: ['detail'] },
);

const referralCounts = object({
  total: count,
  pending: count,
  approved: count,
  voided: count,
  other: { ...count, description: 'flagged, blocked or removed' },
});

const rewardValue: SchemaObject = {
  oneOf: [
    object({
      kind: { type: 'string', enum: ['money'] },
      amount: money,
      currency: { type: 'string', example: 'USD' },
      currencyAssumed: {
        type: 'boolean',
        description: 'the provider sent no currency and one was assumed (XXX when none could be)',
      },
    }),
    object({ kind: { type: 'string', enum: ['points'] }, points: money }),
    object({ kind: { type: 'string', enum: ['none'] } }),
  ],
};

export const PARTICIPANT_SCHEMA = object({
  key,
  provider: text,
  tenant: nullableText,
  providerId: text,
  email: nullableText,
  name: nullableText,
  campaignKeys: arrayOf(key),
  unsubscribed: { type: 'boolean' },
  unsubscribedAt: nullableText,
  fraud: {
    ...object({ level: nullableText, reasonCode: nullableText, observedAt: { type: 'number' } }),
    nullable: true,
  },
  isWinner: { type: 'boolean' },
  signedUpAs: arrayOf({ type: 'string', enum: ['advocate', 'friend'] }),
  shares: { type: 'number' },
  entity: {
    ...object({
      sequence: text,
      eventId: text,
      contactId: nullableText,
      referralCode: nullableText,
      providerStatus: nullableText,
      removed: { type: 'boolean' },
    }),
    nullable: true,
    description: 'the provider entity (Wix), replaced only by a higher entityEventSequence',
  },
});

export const REFERRAL_SCHEMA = object({
  key,
  provider: text,
  tenant: nullableText,
  referralId: text,
  campaignKey: nullableKey,
  advocateKey: nullableKey,
  friendKey: nullableKey,
  status: {
    type: 'string',
    enum: ['pending', 'flagged', 'approved', 'voided', 'blocked', 'removed'],
  },
  orders: arrayOf(
    object({
      id: text,
      amount: { ...money, nullable: true },
      currency: nullableText,
      currencyAssumed: { type: 'boolean' },
    }),
  ),
});

export const REWARD_SCHEMA = object({
  key,
  provider: text,
  tenant: nullableText,
  providerRewardId: text,
  ownerKey: nullableKey,
  side: { type: 'string', enum: ['advocate', 'friend'], nullable: true },
  kind: { type: 'string', enum: ['cash', 'coupon', 'points', 'other'] },
  value: rewardValue,
  status: { type: 'string', enum: ['pending', 'approved', 'paid', 'voided'] },
  couponCode: nullableText,
  description: nullableText,
  campaignKey: nullableKey,
  referralKey: nullableKey,
});

const balance = object({
  currency: { type: 'string', example: 'USD' },
  currencyAssumed: { type: 'boolean' },
  pending: money,
  approved: money,
  paid: money,
  voided: money,
});

export const PARTICIPANT_VIEW_SCHEMA = object({
  participant: PARTICIPANT_SCHEMA,
  advocate: object({
    referrals: referralCounts,
    balances: { ...arrayOf(balance), description: 'cash rewards per currency, by status' },
    points: object({ rewards: count, total: money }),
    coupons: arrayOf(REWARD_SCHEMA),
  }),
  friend: object({ referredBy: arrayOf(REFERRAL_SCHEMA) }),
  rewards: arrayOf(REWARD_SCHEMA),
});

export const LEDGER_ENTRY_SCHEMA = object({
  projection: text,
  position,
  seq: count,
  eventId: text,
  streamId: text,
  providerType: { type: 'string', example: 'growsurf.PARTICIPANT_REACHED_A_GOAL' },
  receivedAt: { type: 'string', format: 'date-time' },
  entityKind: text,
  entityKey: key,
  ownerKey: nullableKey,
  outcome: { type: 'string', enum: ['applied', 'unchanged', 'duplicate', 'superseded'] },
  detail: { type: 'object', additionalProperties: true },
});

export const CAMPAIGN_VIEW_SCHEMA = object({
  campaign: object({
    key,
    provider: text,
    tenant: nullableText,
    providerCampaignId: text,
    name: nullableText,
    status: { type: 'string', enum: ['active', 'ended'] },
    endedAt: { type: 'number', nullable: true },
    winners: arrayOf(key),
    rewardConfig: arrayOf(
      object({
        id: text,
        title: nullableText,
        type: nullableText,
        description: nullableText,
        couponCode: nullableText,
        conversionsRequired: { type: 'number', nullable: true },
      }),
    ),
    providerCounts: {
      type: 'object',
      additionalProperties: { type: 'number' },
      nullable: true,
    },
  }),
  referrals: referralCounts,
});

export const LEADERBOARD_ROW_SCHEMA = object({
  place: { type: 'integer', minimum: 1 },
  participantKey: key,
  email: nullableText,
  name: nullableText,
  approved: count,
  total: count,
});

export const REFERRALS_BY_DAY_SCHEMA = object({
  campaignKey: key,
  days: {
    ...arrayOf(
      object({
        day: { type: 'string', format: 'date', example: '2026-03-01' },
        total: count,
        pending: count,
        approved: count,
        voided: count,
        other: { ...count, description: 'flagged, blocked or removed' },
      }),
    ),
    description:
      "one row per UTC day on which one of the campaign's referrals changed (by the time its delivery was received): how many stood in each status at the end of that day",
  },
});

export const REVIEW_REQUEST_SCHEMA = object({
  key,
  tenant: nullableText,
  reviewRequestId: text,
  sequence: text,
  eventId: text,
  deleted: { type: 'boolean' },
  status: nullableText,
  namespace: nullableText,
  orderId: nullableText,
  orderNumber: nullableText,
  items: arrayOf(object({ catalogItemId: nullableText, reviewId: nullableText })),
  recipientContactId: nullableText,
  communicationChannel: nullableText,
  sendDate: nullableText,
  createdDate: nullableText,
  updatedDate: nullableText,
});

export const NOT_UNDERSTOOD_SCHEMA = object(
  { projection: text, position, eventId: text, message: text, eventType: text },
  { optional: ['eventType'] },
);

export const PROJECTIONS_STATUS_SCHEMA = object({
  live: { type: 'string', description: 'the read-model file being served' },
  projections: arrayOf(
    object(
      {
        projection: text,
        version: { type: 'integer' },
        checkpoint: { ...position, nullable: true },
        state: text,
      },
      { open: true },
    ),
  ),
  rebuild: object({ state: text, rebuilding: arrayOf(text), fileName: text }, { open: true }),
});
PROJECTIONS_STATUS_SCHEMA.required = ['live', 'projections'];

export const REBUILD_PROGRESS_SCHEMA = object(
  {
    state: { type: 'string', enum: ['building', 'switched', 'failed'] },
    phase: { type: 'string', enum: ['copying', 'projecting', 'indexing', 'catching-up'] },
    rebuilding: arrayOf(text),
    fileName: text,
    startedAt: { type: 'string', format: 'date-time' },
  },
  { optional: ['phase'], open: true },
);

export const EXPLAIN_SCHEMA = object({
  participant: PARTICIPANT_SCHEMA,
  balances: arrayOf(balance),
  rewards: arrayOf(REWARD_SCHEMA),
  entries: arrayOf({
    ...LEDGER_ENTRY_SCHEMA,
    properties: {
      ...LEDGER_ENTRY_SCHEMA.properties,
      verification: {
        type: 'object',
        nullable: true,
        description: 'how the delivery was verified when it was received',
        additionalProperties: true,
      },
      delivery: { type: 'string', description: 'the stored delivery: GET it with an admin key' },
      erasure: {
        type: 'string',
        description:
          'when part of that delivery is no longer held: "erased on <date>" or "key lost"',
      },
    },
    required: [...(LEDGER_ENTRY_SCHEMA.required ?? []), 'verification', 'delivery'],
  }),
});

export const STORED_DELIVERY_SCHEMA = object(
  {
    eventId: text,
    position,
    streamId: text,
    type: text,
    recordedAt: { type: 'string', format: 'date-time' },
    delivery: {
      type: 'object',
      additionalProperties: true,
      description:
        'the verified delivery as received: provider, verification, payload, raw body (what is no longer held reads as pseudonyms, the body as empty)',
    },
    erasure: {
      type: 'string',
      description:
        'when part of the delivery is no longer held: "erased on <date>" or "key lost" (docs/erasure.md)',
      example: 'erased on 2026-12-02',
    },
    bodyHeld: { type: 'boolean', description: 'false once the raw body can no longer be read' },
  },
  { optional: ['erasure', 'bodyHeld'] },
);

export const ERASURE_ANSWER_SCHEMA = object({
  requestId: { type: 'string', format: 'uuid' },
  erasedAt: { type: 'string', format: 'date-time' },
  subjects: arrayOf({
    type: 'string',
    pattern: '^ps_[0-9a-f]{24}$',
    description: 'the pseudonym the person keeps appearing under in totals',
  }),
  deliveries: arrayOf({ type: 'string', description: 'event ids whose personal part is gone' }),
  keysDestroyed: count,
});

export const SUBJECT_EXPORT_SCHEMA = object({
  participants: arrayOf(PARTICIPANT_SCHEMA),
  subjects: arrayOf(
    object({
      pseudonym: text,
      profile: { type: 'object', additionalProperties: { type: 'string' } },
    }),
  ),
  deliveries: arrayOf(
    object({
      eventId: text,
      type: text,
      receivedAt: text,
      subject: text,
      fields: {
        type: 'object',
        additionalProperties: true,
        description: "the person's own fields in the delivery, by path",
      },
    }),
  ),
});

export const REVERIFICATION_SCHEMA = object(
  {
    eventId: text,
    result: { type: 'string', enum: ['verified', 'failed', 'not-verifiable'] },
    method: text,
    checked: { type: 'string', description: 'what was checked, in words' },
    keyId: { type: 'string', description: 'the configured key that matched (its name)' },
    reason: text,
    erasure: {
      type: 'string',
      description: 'why the body is no longer held: "erased on <date>" or "key lost"',
    },
  },
  { optional: ['keyId', 'reason', 'erasure'] },
);

export const WEBHOOK_ANSWER_SCHEMA = object(
  {
    status: { type: 'string', enum: ['recorded', 'duplicate'] },
    eventId: { type: 'string', format: 'uuid' },
    position,
    understood: {
      type: 'boolean',
      description: 'false: verified and kept, but its event type is not projected yet',
    },
    message: text,
    unsubscribed: {
      type: 'boolean',
      description: "Talkable's check_unsubscribe_web_hook only: the answer it asks for",
    },
  },
  { optional: ['unsubscribed'] },
);

export const HEALTH_SCHEMA = object({
  status: { type: 'string', enum: ['ok', 'unavailable'] },
  eventStore: object(
    {
      kind: { type: 'string', enum: ['sqlite', 'eventstoredb'] },
      ready: { type: 'boolean', description: 'the store answers a read' },
      appendsFailing: {
        type: 'object',
        additionalProperties: true,
        description: 'present while appends to the store fail',
      },
    },
    { optional: ['appendsFailing'] },
  ),
  projections: object({
    ready: { type: 'boolean', description: 'every live projection follows the log' },
    states: { type: 'object', additionalProperties: { type: 'string' } },
  }),
  causes: { ...arrayOf(text), description: 'why the service is not ready; empty when it is' },
});
