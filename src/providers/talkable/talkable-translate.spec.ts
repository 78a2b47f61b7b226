import { objectAt, objectsAt } from '../../ledger/json';
import { given, InMemoryProjector } from '../../projections/testing/given-when-then';
import {
  fixture,
  inLogOrder,
  recorded,
  talkable,
  webhook,
} from '../../projections/testing/recorded-webhooks';
import { ledgerProjection } from '../../projections/rewards/ledger.projection';

const withDefault = ledgerProjection({
  defaultCurrencies: new Map([
    ['talkable', 'EUR'],
    ['*', 'USD'],
  ]),
});
const noDefault = ledgerProjection({ defaultCurrencies: new Map() });
const advocateReward = { collection: 'reward', key: 'talkable:test-site:715729561' };

describe('Talkable into the ledger', () => {
  it('records an approved referral with its advocate and friend rewards', () => {
    const projector = given([withDefault])
      .when(recorded(talkable('referral-approved'), 1n))
      .then(
        { collection: 'referral', key: 'talkable:test-site:referral:6400368' },
        {
          advocateKey: 'talkable:test-site:referrer@example.com',
          friendKey: 'talkable:test-site:referred@example.com',
          campaignKey: 'talkable:test-site:593427266',
          status: 'approved',
        },
      );
    expect(projector.get('reward', 'talkable:test-site:715729561')).toMatchObject({
      side: 'advocate',
      kind: 'cash',
      status: 'approved',
      referralKey: 'talkable:test-site:referral:6400368',
    });
    expect(projector.get('reward', 'talkable:test-site:11192772')).toMatchObject({
      side: 'friend',
      kind: 'other',
      value: { kind: 'none' },
      description: 'First Month Free',
    });
    expect(projector.all('reward')).toHaveLength(2);
  });

  it('assumes the source default currency for "5.00" sent without one, and says so', () => {
    given([withDefault])
      .when(recorded(talkable('referral-approved'), 1n))
      .then(advocateReward, {
        value: { kind: 'money', amount: '5.00', currency: 'EUR', currencyAssumed: true },
      });
  });

  it('records XXX, assumed, when no default currency is configured', () => {
    given([noDefault])
      .when(recorded(talkable('referral-approved'), 1n))
      .then(advocateReward, {
        value: { kind: 'money', amount: '5.00', currency: 'XXX', currencyAssumed: true },
      });
  });

  it('counts a reward announced by the referral webhook and the reward webhook once, with the known currency', () => {
    const projector = new InMemoryProjector([withDefault]).apply(
      ...inLogOrder([talkable('referral-approved'), talkable('reward-voided')]),
    );
    expect(projector.all('reward')).toHaveLength(2);
    expect(projector.get('reward', 'talkable:test-site:715729561')).toMatchObject({
      status: 'voided',
      value: { kind: 'money', amount: '5.00', currency: 'USD', currencyAssumed: false },
    });
  });

  it.each([
    ['reward-unpaid', 'approved'],
    ['reward-paid', 'paid'],
    ['reward-voided', 'voided'],
  ])('reads the reward webhook %s as %s', (name, status) => {
    const projector = new InMemoryProjector([withDefault]).apply(recorded(talkable(name), 1n));
    expect(projector.all('reward')).toEqual([
      expect.objectContaining({ status, side: 'advocate' }),
    ]);
  });

  it('moves Unpaid to Paid and never back, whichever arrives first', () => {
    const [unpaid, paid] = [talkable('reward-unpaid'), talkable('reward-paid')];
    const a = new InMemoryProjector([withDefault]).apply(...inLogOrder([unpaid, paid]));
    const b = new InMemoryProjector([withDefault]).apply(...inLogOrder([paid, unpaid]));
    expect(a.get('reward', 'talkable:test-site:715729563')).toMatchObject({
      status: 'paid',
      value: { amount: '10.00', currency: 'USD', currencyAssumed: false },
    });
    expect(a.snapshot()).toBe(b.snapshot());
  });

  it('keeps an unsubscribe as a participant fact', () => {
    given([withDefault])
      .when(recorded(talkable('unsubscribe'), 1n))
      .then(
        { collection: 'participant', key: 'talkable:test-site:referred@example.com' },
        {
          unsubscribed: true,
          unsubscribedAt: '2021-05-01T10:00:00.000-08:00',
        },
      );
  });

  it('counts shares and signups on the participant', () => {
    given([withDefault], inLogOrder([talkable('offer-signup'), talkable('post-share')]))
      .when(recorded(talkable('post-share', { dedupeKey: 'second share' }), 3n))
      .then(
        { collection: 'participant', key: 'talkable:test-site:referrer@example.com' },
        {
          shares: 2,
          signedUpAs: ['advocate'],
          name: 'Bob Crane',
        },
      );
  });

  it('changes nothing for a check-unsubscribe question or a purchase event', () => {
    const projector = new InMemoryProjector([withDefault]).apply(
      ...inLogOrder([talkable('check-unsubscribe'), talkable('event-purchase')]),
    );
    expect(projector.documents.size).toBe(0);
    expect(projector.notUnderstood).toEqual([]);
  });

  it('records only the reward with a malformed currency as a problem; its person and campaign apply', () => {
    const unpaid = talkable('reward-unpaid');
    const origin = { ...objectAt(unpaid.payload, 'origin'), currency_iso_code: 'dollars' };
    const event = { ...unpaid, payload: { ...unpaid.payload, origin } };
    const projector = new InMemoryProjector([withDefault]).apply(recorded(event, 1n));
    expect(projector.notUnderstood).toEqual([
      expect.objectContaining({ position: 1n, reason: expect.stringContaining('715729563') }),
    ]);
    expect(projector.all('reward')).toEqual([]);
    expect(projector.get('participant', 'talkable:test-site:referrer@example.com')).toBeDefined();
    expect(projector.all('campaign')).toHaveLength(1);
  });

  it('keeps the referral and the friend reward of a referral webhook whose advocate reward amount is malformed', () => {
    const approved = talkable('referral-approved');
    const [first, ...others] = objectsAt(approved.payload, 'advocate_rewards');
    const payload = {
      ...approved.payload,
      advocate_rewards: [{ ...first, amount: '5.001' }, ...others],
      // `referrer` repeats the first advocate reward: without it, only the malformed copy is left.
      referrer: null,
    };
    const projector = new InMemoryProjector([withDefault]).apply(
      recorded({ ...approved, payload }, 1n),
    );
    expect(projector.notUnderstood).toEqual([
      expect.objectContaining({ reason: expect.stringContaining('715729561') }),
    ]);
    expect(projector.get('reward', 'talkable:test-site:715729561')).toBeUndefined();
    expect(projector.all('referral')).toHaveLength(1);
    expect(projector.all('reward').length).toBeGreaterThan(0);
  });

  it.each([
    [80, '80.00'],
    ['99.5', '99.50'],
  ])(
    'records the order subtotal %j as money, %s in the assumed default currency',
    (subtotal, amount) => {
      const approved = talkable('referral-approved');
      const origin = { ...objectAt(approved.payload, 'referred_origin'), subtotal };
      const event = { ...approved, payload: { ...approved.payload, referred_origin: origin } };
      given([withDefault])
        .when(recorded(event, 1n))
        .then(
          { collection: 'referral', key: 'talkable:test-site:referral:6400368' },
          { orders: [{ id: '459179054', amount, currency: 'EUR', currencyAssumed: true }] },
        );
    },
  );

  it('counts a Custom App delivery as not understood', () => {
    const event = webhook(
      'talkable',
      'custom_app',
      fixture('talkable', 'custom-app-referral-status-change'),
      {
        tenantId: 'test-site',
        understood: false,
      },
    );
    const projector = new InMemoryProjector([withDefault]).apply(recorded(event, 1n));
    expect(projector.notUnderstood).toHaveLength(1);
  });
});
