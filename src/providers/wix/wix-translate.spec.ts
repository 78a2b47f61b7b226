import fc from 'fast-check';
import type { JsonObject } from '../../ledger/json';
import type { WebhookReceived } from '../../ledger/webhook-received';
import { reviewRequestsProjection } from '../../projections/reviews/review-requests.projection';
import { given, InMemoryProjector } from '../../projections/testing/given-when-then';
import {
  fixture,
  inLogOrder,
  recorded,
  wix,
  wixEvent,
  WIX_INSTANCE,
} from '../../projections/testing/recorded-webhooks';
import { ledgerProjection } from '../../projections/rewards/ledger.projection';

const projections = [ledgerProjection({ defaultCurrencies: new Map() }), reviewRequestsProjection];
const key = (id: string) => `wix:${WIX_INSTANCE}:${id}`;
const FRIEND = 'b7e2c1d0-3f4a-4c5b-8d6e-7f8091a2b3c4';
const CUSTOMER = '4fb41de4-da9c-4818-b54f-82c955ecc866';
const REVIEW = '15f470a4-a960-43bb-b1ed-886e1050efcd';

/** A second friend, created then deleted: built from the fixtures, as Wix would send them. */
function secondFriend(): WebhookReceived[] {
  const created = fixture('wix', 'referred-friend-created');
  const entity = {
    ...(created.createdEvent as JsonObject),
    entity: { ...((created.createdEvent as JsonObject).entity as JsonObject), id: 'f2' },
  };
  return [
    wixEvent({ ...created, id: 'evt-f2-created', entityId: 'f2', createdEvent: entity }),
    wixEvent({
      id: 'evt-f2-deleted',
      entityFqdn: 'wix.loyalty.referral.v1.referred_friend',
      slug: 'deleted',
      entityId: 'f2',
      entityEventSequence: '2',
      deletedEvent: {},
    }),
  ];
}

const history: WebhookReceived[] = [
  wix('referring-customer-created'),
  wix('referred-friend-created'),
  wix('referral-event-friend-signup'),
  wix('referral-event-action'),
  wix('referral-event-successful-referral'),
  wix('referred-friend-updated'),
  wix('referral-event-reward-points'),
  wix('referral-event-created-reward'),
  wix('review-request-created'),
  wix('review-request-updated'),
  wix('review-request-deleted'),
  ...secondFriend(),
];

describe('Wix Referral Program and Reviews into read models', () => {
  it('follows a referral from signup to successful referral and its rewards', () => {
    const projector = new InMemoryProjector(projections).apply(...inLogOrder(history));
    expect(projector.get('referral', key(FRIEND))).toMatchObject({
      advocateKey: key(CUSTOMER),
      friendKey: key(FRIEND),
      status: 'approved',
      orders: [
        {
          id: '8e7d3c22-7d22-43e8-a175-869113e59108',
          amount: '49.90',
          currency: 'EUR',
          currencyAssumed: false,
        },
      ],
    });
    expect(projector.get('reward', key('c8c732cf-2ca2-4025-9b1c-3be02f099cdb'))).toMatchObject({
      ownerKey: key(CUSTOMER),
      kind: 'coupon',
      status: 'paid',
    });
    expect(projector.get('reward', key('d3c28177-c277-4833-b6ca-dbe66830ae0d'))).toMatchObject({
      kind: 'points',
    });
    expect(projector.get('participant', key(CUSTOMER))).toMatchObject({
      entity: { sequence: '1', referralCode: 'ALICE7K2M9QZ' },
    });
    expect(projector.get('referral', key('f2'))).toMatchObject({ status: 'removed' });
  });

  it('ignores a stale update to a referred friend and records it as superseded', () => {
    const projector = given(projections, inLogOrder([wix('referred-friend-updated')]))
      .when(recorded(wix('referred-friend-created'), 2n))
      .then(
        { collection: 'participant', key: key(FRIEND) },
        {
          entity: expect.objectContaining({
            sequence: '2',
            providerStatus: 'ACTIONS_COMPLETED',
          }),
        },
      );
    expect(
      projector.entries.filter(
        (e) => e.entityKey === key(FRIEND) && e.entityKind === 'participant',
      ),
    ).toEqual([
      expect.objectContaining({ outcome: 'applied' }),
      expect.objectContaining({ outcome: 'superseded', position: 2n }),
    ]);
  });

  it('compares entityEventSequence as a number: "10" is after "9"', () => {
    const update = (sequence: string, status: string, id: string) => {
      const base = fixture('wix', 'review-request-updated');
      const updated = base.updatedEvent as JsonObject;
      return wixEvent({
        ...base,
        id,
        entityEventSequence: sequence,
        updatedEvent: {
          ...updated,
          currentEntity: { ...(updated.currentEntity as JsonObject), status },
        },
      });
    };
    given(projections, inLogOrder([update('10', 'SENT', 'e10')]))
      .when(recorded(update('9', 'FAILED', 'e9'), 2n))
      .then({ collection: 'review-request', key: key(REVIEW) }, { status: 'SENT', sequence: '10' });
  });

  it('keeps a deleted review request as a tombstone that a late creation cannot revive', () => {
    const projector = given(projections, inLogOrder([wix('review-request-deleted')]))
      .when(recorded(wix('review-request-created'), 2n))
      .then(
        { collection: 'review-request', key: key(REVIEW) },
        { deleted: true, status: 'CANCELED', sequence: '3' },
      );
    expect(projector.entries.at(-1)).toMatchObject({ outcome: 'superseded' });
  });

  it('reaches the same read models for any arrival order and any duplicated deliveries', () => {
    const expected = new InMemoryProjector(projections).apply(...inLogOrder(history)).snapshot();
    const arrivals = fc
      .tuple(
        fc.shuffledSubarray(history, { minLength: history.length, maxLength: history.length }),
        fc.array(fc.nat({ max: history.length - 1 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 8 }),
      )
      .map(([shuffled, duplicated, slots]) => {
        const log = [...shuffled];
        duplicated.forEach((index, n) => {
          const copy = history[index];
          if (copy !== undefined) log.splice((slots[n] ?? 0) % (log.length + 1), 0, copy);
        });
        return log;
      });
    fc.assert(
      fc.property(arrivals, (log) => {
        expect(new InMemoryProjector(projections).apply(...inLogOrder(log)).snapshot()).toBe(
          expected,
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('Wix events stored under the doubled type name of older versions', () => {
  it('reads an event stored as wix.wix.… like one stored as wix.…, and names both the same in the ledger', () => {
    const old = recorded(wix('referral-event-created-reward'), 1n);
    const renamed = { ...old, type: `wix.${old.type.replace(/^wix\./, '')}` };
    const doubled = { ...old, type: `wix.${renamed.type}` };
    const types = [renamed, doubled].map((event) => {
      const projector = new InMemoryProjector(projections).apply(event);
      expect(projector.get('reward', key('c8c732cf-2ca2-4025-9b1c-3be02f099cdb'))).toBeDefined();
      return [...new Set(projector.entries.map((e) => e.providerType))];
    });
    expect(types).toEqual([
      ['wix.loyalty.referral.v1.referral_event_created'],
      ['wix.loyalty.referral.v1.referral_event_created'],
    ]);
  });

  it('records new Wix events under the type with the provider named once', () => {
    expect(recorded(wix('referral-event-created-reward'), 1n).type).toBe(
      'wix.loyalty.referral.v1.referral_event_created',
    );
  });
});

describe('Wix order amounts', () => {
  /** The action fixture with its amount and currency replaced. */
  function action(amount: string, currency: string | null): WebhookReceived {
    const event = fixture('wix', 'referral-event-action');
    const created = event.createdEvent as JsonObject;
    const entity = created.entity as JsonObject;
    const { currency: _sent, ...rest } = entity.actionEvent as JsonObject;
    const actionEvent = { ...rest, amount, ...(currency === null ? {} : { currency }) };
    return wixEvent({ ...event, createdEvent: { ...created, entity: { ...entity, actionEvent } } });
  }

  it('records an amount sent without a currency as money in the assumed currency', () => {
    given(projections)
      .when(recorded(action('99.5', null), 1n))
      .then(
        { collection: 'referral', key: key(FRIEND) },
        {
          orders: [
            expect.objectContaining({ amount: '99.50', currency: 'XXX', currencyAssumed: true }),
          ],
        },
      );
  });

  it('keeps the referral of an action whose amount is malformed, without the amount, and reports it', () => {
    const projector = new InMemoryProjector(projections).apply(
      recorded(action('12.345', 'EUR'), 1n),
    );
    expect(projector.get('referral', key(FRIEND))).toMatchObject({
      status: 'pending',
      orders: [expect.objectContaining({ amount: null })],
    });
    expect(projector.notUnderstood).toEqual([
      expect.objectContaining({ reason: expect.stringContaining('12.345') }),
    ]);
  });
});
